#include "storage/writer.h"
#include <pthread.h>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <optional>

namespace muster {

Writer::Writer(std::unique_ptr<SQLite::Database> db, std::size_t max_batch, std::size_t max_queue,
               const Clock* clock)
    : db_(std::move(db)),
      max_batch_(max_batch),
      max_queue_(max_queue),
      clock_(clock ? clock : &system_clock_) {
    completions_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "writer:done");
        run_completions();
    });
    try {
        thread_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "writer");
            run();
        });
    } catch (...) {
        {
            std::lock_guard<std::mutex> lk(finished_mu_);
            writer_done_ = true;
        }
        finished_cv_.notify_all();
        completions_.join();
        throw;
    }
}

Writer::~Writer() {
    stop();
}

bool Writer::submit(Job job, Done done, EpochMs deadline) {
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (stopping_ || queue_.size() >= max_queue_) return false;
        queue_.push_back({std::move(job), std::move(done), deadline});
    }
    cv_.notify_one();
    return true;
}

std::size_t Writer::queued() const {
    std::lock_guard<std::mutex> lk(mu_);
    return queue_.size();
}

void Writer::on_commit(std::function<void()> fn) {
    std::lock_guard<std::mutex> lk(mu_);
    observers_.push_back(std::move(fn));
}

void Writer::stop() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    const auto self = std::this_thread::get_id();
    if (thread_.joinable() && thread_.get_id() != self) thread_.join();
    if (thread_.joinable()) return;  // called from a job: the destructor finishes the stop
    // The writer has run its last batch: the completions of everything it ran are queued.
    {
        std::lock_guard<std::mutex> lk(finished_mu_);
        writer_done_ = true;
    }
    finished_cv_.notify_all();
    if (completions_.joinable() && completions_.get_id() != self) completions_.join();
}

void Writer::run_completions() {
    for (;;) {
        Finished f;
        {
            std::unique_lock<std::mutex> lk(finished_mu_);
            finished_cv_.wait(lk, [&] { return writer_done_ || !finished_.empty(); });
            if (finished_.empty()) return;  // the writer stopped and everything was called
            f = std::move(finished_.front());
            finished_.pop_front();
        }
        finished_cv_.notify_all();  // the writer may wait for room
        for (std::size_t i = 0; i < f.batch.size(); ++i) {
            if (!f.batch[i].done) continue;
            try {
                f.batch[i].done(f.commit_error ? f.commit_error : f.errors[i]);
            } catch (const std::exception& e) {
                spdlog::error("storage: completion callback threw: {}", e.what());
            }
        }
        // The jobs (and the Effects they hold) are freed here, not on the writer.
    }
}

void Writer::run() {
    for (;;) {
        std::vector<Item> batch;
        std::vector<std::function<void()>> observers;
        {
            std::unique_lock<std::mutex> lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            observers = observers_;
        }
        // Observers (the outbox worker, the timer loop) wake to look for new work. Only a batch
        // that changed rows can have made any: waking them for their own read-only look would
        // make them wake each other for ever.
        const int changes_before = sqlite3_total_changes(db_->getHandle());
        run_batch(batch);
        if (last_commit_ok_.load() && sqlite3_total_changes(db_->getHandle()) != changes_before)
            for (auto& o : observers) o();
    }
}

bool Writer::run_jobs(std::vector<Item>& batch, std::vector<std::exception_ptr>& errors,
                      bool savepoints) {
    db_->exec("BEGIN IMMEDIATE");
    ++transactions_;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (errors[i]) continue;
        if (!savepoints) {
            try {
                batch[i].job(*db_);
            } catch (...) {
                // One job failed: undo the whole batch and run it again, each job in a savepoint.
                // (Some errors, a full disk for one, have rolled the transaction back already.)
                if (sqlite3_get_autocommit(db_->getHandle()) == 0) db_->exec("ROLLBACK");
                return false;
            }
            continue;
        }
        db_->exec("SAVEPOINT job");
        try {
            batch[i].job(*db_);
            db_->exec("RELEASE job");
        } catch (...) {
            errors[i] = std::current_exception();
            db_->exec("ROLLBACK TO job");  // a throw here fails the whole batch
            db_->exec("RELEASE job");
        }
    }
    db_->exec("COMMIT");
    return true;
}

void Writer::run_batch(std::vector<Item>& batch) {
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr commit_error;
    // A job whose deadline passed while it waited is not run: its caller has answered "busy".
    const EpochMs now = clock_->now_ms();
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (batch[i].deadline > 0 && batch[i].deadline < now)
            errors[i] = std::make_exception_ptr(DeadlineExpired());
    try {
        // Optimistic first: jobs almost never fail, and a savepoint per job (a statement to
        // parse, a sub-journal of every page it touches) cost a tenth of the writer's time. A
        // batch in which some job throws is rolled back and run again with one savepoint per
        // job, so the failing job still rolls back alone. Jobs only write through their
        // connection, so running one twice is safe.
        if (!run_jobs(batch, errors, false)) {
            ++reruns_;
            run_jobs(batch, errors, true);
        }
        last_commit_ok_ = true;
        ++commits_;
    } catch (const std::exception& e) {
        commit_error = std::current_exception();
        last_commit_ok_ = false;
        spdlog::error("storage: write failed, {} request(s) not saved: {}", batch.size(), e.what());
        try {
            if (!db_->getHandle() || sqlite3_get_autocommit(db_->getHandle()) == 0)
                db_->exec("ROLLBACK");
        } catch (...) {
        }
    }
    {
        std::unique_lock<std::mutex> lk(finished_mu_);
        finished_cv_.wait(lk, [&] { return finished_.size() < kMaxUnfinished; });
        finished_.push_back({std::move(batch), std::move(errors), commit_error});
    }
    finished_cv_.notify_all();
}

}  // namespace muster
