// The SQLite adapter: construction, the read pool, the numbers handed out ahead of the writer,
// and the committer (Effects → one job on the writer).
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "storage/database.h"
#include "storage/sql.h"
#include "storage/sqlite_impl.h"

namespace muster {

ReadPool::ReadPool(std::string path, int busy_timeout_ms)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}

ReadPool::Lease ReadPool::lease() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(c));
        }
    }
    auto c = std::make_unique<Conn>();
    configure_sqlite_once();
    c->db = std::make_unique<SQLite::Database>(path_, connection_flags(true), busy_timeout_ms_);
    c->db->exec("PRAGMA query_only = ON");
    c->st = std::make_unique<StatementCache>(*c->db);
    return Lease(*this, std::move(c));
}

void ReadPool::give_back(std::unique_ptr<Conn> c) {
    if (!c) return;
    try {
        c->st->release();
    } catch (...) {
        return;  // a connection in trouble is dropped, not reused
    }
    std::lock_guard<std::mutex> lk(mu_);
    idle_.push_back(std::move(c));
}

SqliteStorage::SqliteStorage(const StorageOptions& o)
    : options_(o), reads_(o.path, o.busy_timeout_ms) {
    auto db = open_database({o.path, o.synchronous, o.busy_timeout_ms, o.read_only});
    if (o.read_only) return;  // the reads open their own connections
    write_db_ = db.get();
    write_cache_ = std::make_unique<StatementCache>(*db);
    checkpointer_ = std::make_unique<Checkpointer>(o.path, o.busy_timeout_ms);
    checkpointer_->attach(db->getHandle());
    writer_ = std::make_unique<Writer>(std::move(db), 512, o.max_queue, o.clock);
}

SqliteStorage::~SqliteStorage() {
    stop();
}

void SqliteStorage::stop() {
    if (writer_) writer_->stop();
    if (checkpointer_) checkpointer_->stop();
}

std::uint64_t SqliteStorage::commits() const {
    return writer_ ? writer_->commits() : 0;
}

std::size_t SqliteStorage::queued_writes() const {
    return writer_ ? writer_->queued() : 0;
}

void SqliteStorage::on_commit(std::function<void()> fn) {
    if (writer_) writer_->on_commit(std::move(fn));
}

bool SqliteStorage::submit(std::function<void(StatementCache&)> job,
                           std::function<void(std::exception_ptr)> done, EpochMs deadline) {
    if (!writer_) return false;
    StatementCache* cache = write_cache_.get();
    Writer* writer = writer_.get();
    return writer_->submit(
        [job = std::move(job), cache, writer](SQLite::Database&) {
            struct Release {
                StatementCache* c;
                ~Release() {
                    try {
                        c->release();
                    } catch (...) {
                    }
                }
            } release{cache};
            cache->in_transaction(writer->transaction());
            try {
                job(*cache);
            } catch (...) {
                cache->forget();  // what it wrote may be rolled back alone
                throw;
            }
        },
        std::move(done), deadline);
}

bool SqliteStorage::apply(Effects effects, Done done, EpochMs deadline) {
    auto fx = std::make_shared<Effects>(std::move(effects));
    return submit([fx](StatementCache& st) { apply_effects(st, *fx); },
                  [done = std::move(done)](std::exception_ptr e) {
                      if (!done) return;
                      if (!e) return done(Applied::ok);
                      try {
                          std::rethrow_exception(e);
                      } catch (const Conflict&) {
                          done(Applied::conflict);
                      } catch (const Duplicate&) {
                          done(Applied::duplicate);
                      } catch (const DeadlineExpired&) {
                          done(Applied::busy);
                      } catch (const std::exception& ex) {
                          spdlog::error("storage: not saved: {}", ex.what());
                          done(Applied::failed);
                      } catch (...) {
                          done(Applied::failed);
                      }
                  },
                  deadline);
}

bool SqliteStorage::probe(std::function<void(bool, std::string)> done) {
    return submit([](StatementCache& st) { st.get(sql::kReadyProbe).exec(); },
                  [done](std::exception_ptr e) {
                      if (!e) return done(true, "");
                      std::string why = "database not writable";
                      try {
                          std::rethrow_exception(e);
                      } catch (const std::exception& ex) {
                          why += std::string(": ") + ex.what();
                      } catch (...) {
                      }
                      done(false, why);
                  });
}

std::int64_t SqliteStorage::next_incident_seq(const std::string& day) {
    std::lock_guard<std::mutex> lk(seq_mu_);
    auto it = incident_seq_.find(day);
    if (it == incident_seq_.end()) {
        auto r = reads_.lease();
        auto& q = r.get(sql::kLastIncidentSeq);
        q.bind(1, day);
        const std::int64_t last = q.executeStep() ? q.getColumn(0).getInt64() : 0;
        if (incident_seq_.size() >= 8) incident_seq_.erase(incident_seq_.begin());  // old days
        it = incident_seq_.emplace(day, last).first;
    }
    return ++it->second;
}

int SqliteStorage::next_channel_suffix(const std::string& platform, const std::string& base) {
    std::lock_guard<std::mutex> lk(seq_mu_);
    const auto key = std::make_pair(platform, base);
    auto it = suffix_.find(key);
    if (it == suffix_.end()) {
        it = suffix_.emplace(key, last_channel_suffix(platform, base)).first;
        suffix_order_.push_back(key);
        // Base names carry the minute: only recent ones matter; older ones are read again.
        if (suffix_order_.size() > 4096) {
            suffix_.erase(suffix_order_.front());
            suffix_order_.pop_front();
        }
    }
    return ++it->second;
}

std::unique_ptr<Storage> open_sqlite_storage(const StorageOptions& options) {
    return std::make_unique<SqliteStorage>(options);
}

}  // namespace muster
