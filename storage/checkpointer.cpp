#include "storage/checkpointer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "storage/database.h"

namespace muster {

Checkpointer::Checkpointer(std::string path, int busy_timeout_ms, int threshold_pages)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), threshold_(threshold_pages) {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "checkpoint");
        run();
    });
}

Checkpointer::~Checkpointer() {
    stop();
}

void Checkpointer::attach(sqlite3* writer) {
    sqlite3_wal_hook(writer, &Checkpointer::on_commit, this);
}

void Checkpointer::stop() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
    // Writer thread. wal_pages counts every frame since the WAL last restarted, copied back or
    // not. The WAL restarts (and stops growing) only when a write begins with every frame copied
    // back, which a checkpoint on another thread never achieves while the writer keeps
    // committing. So this thread copies the bulk, and after each of its checkpoints the writer
    // copies the few frames committed meanwhile itself, right after its own commit.
    auto* c = static_cast<Checkpointer*>(self);
    if (wal_pages < c->asked_at_) c->asked_at_ = 0;  // the WAL restarted
    if (c->done_.exchange(false)) {
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    if (wal_pages - c->asked_at_ < c->threshold_) return SQLITE_OK;
    c->asked_at_ = wal_pages;
    {
        std::lock_guard<std::mutex> lk(c->mu_);
        c->wanted_ = true;
    }
    c->cv_.notify_one();
    return SQLITE_OK;
}

void Checkpointer::run() {
    sqlite3* db = nullptr;
    for (;;) {
        {
            std::unique_lock<std::mutex> lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || wanted_; });
            if (stopping_) break;
            wanted_ = false;
        }
        if (!db) {
            configure_sqlite_once();
            if (sqlite3_open_v2(path_.c_str(), &db, connection_flags(false), nullptr) !=
                SQLITE_OK) {
                spdlog::warn("storage: checkpoint connection: {}", sqlite3_errmsg(db));
                sqlite3_close(db);
                db = nullptr;
                continue;
            }
            sqlite3_busy_timeout(db, busy_timeout_ms_);
            // A fresh connection learns the file is in WAL mode by reading it; until then a
            // checkpoint does nothing (and says so with log = -1).
            sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
        }
        int log = 0, copied = 0;
        const int rc =
            sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (rc == SQLITE_OK && log >= 0) {
            checkpoints_.fetch_add(1);
            done_ = true;
        } else if (rc != SQLITE_BUSY)
            spdlog::warn("storage: checkpoint: {}", sqlite3_errmsg(db));
    }
    if (db) sqlite3_close(db);
}

}  // namespace muster
