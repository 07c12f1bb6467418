// The single writer (DESIGN §3): one thread owns the SQLite write connection. Jobs queue up; the
// thread takes everything queued, runs the jobs inside one transaction, commits once (group
// commit), and only then calls each job's completion. So a caller that has been told "done" knows
// its write is durable. Completions run on a second thread, in commit order, with the jobs freed
// there too: the writer goes on to the next batch at once, and what a caller does when told (build
// an HTTP answer, decide again after a conflict) never holds up the writes of others. A job that
// throws rolls back alone: the batch is undone and run again with a savepoint per job (jobs only
// write through the connection, so they may run twice). Admission control: the queue holds at most
// `max_queue` jobs (submit answers false beyond), and a job whose deadline has passed before its
// batch begins is not run (DeadlineExpired).
#pragma once

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bot/domain/clock.h"

namespace muster {

// A job dropped because its deadline passed while it waited in the queue: nothing was written.
struct DeadlineExpired : std::runtime_error {
    DeadlineExpired() : std::runtime_error("the write could not begin before its deadline") {}
};

class Writer {
  public:
    using Job = std::function<void(SQLite::Database&)>;
    // Called on the completion thread after the batch committed (nullptr) or failed (the error),
    // batch after batch in commit order.
    using Done = std::function<void(std::exception_ptr)>;

    explicit Writer(std::unique_ptr<SQLite::Database> db, std::size_t max_batch = 512,
                    std::size_t max_queue = 20'000, const Clock* clock = nullptr);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Returns false (and calls nothing) once the writer is stopped or its queue is full.
    // deadline: ms since epoch by `clock`; 0 = none.
    bool submit(Job job, Done done, EpochMs deadline = 0);

    // Runs fn in the writer and returns its result through a future (for callers that may block:
    // the CLI, tests, maintenance — never a network thread).
    template <typename T>
    std::future<T> call(std::function<T(SQLite::Database&)> fn) {
        auto promise = std::make_shared<std::promise<T>>();
        auto result = std::make_shared<std::optional<T>>();
        auto fut = promise->get_future();
        const bool ok =
            submit([fn = std::move(fn), result](SQLite::Database& db) { *result = fn(db); },
                   [promise, result](std::exception_ptr e) {
                       if (e)
                           promise->set_exception(e);
                       else
                           promise->set_value(std::move(**result));
                   });
        if (!ok)
            promise->set_exception(
                std::make_exception_ptr(std::runtime_error("storage is stopped or busy")));
        return fut;
    }

    // Observers run on the writer thread after every successful commit that changed rows (a
    // batch of reads commits too, but wakes nobody).
    void on_commit(std::function<void()> fn);

    // Finishes every queued job and calls every completion, then stops both threads. Idempotent;
    // not from a completion.
    void stop();

    bool last_commit_ok() const { return last_commit_ok_.load(); }
    std::uint64_t commits() const { return commits_.load(); }
    // Batches that had to be run a second time, with a savepoint per job, because a job threw.
    std::uint64_t reruns() const { return reruns_.load(); }
    // The number of the transaction a job runs in: each BEGIN gets a new one (for jobs that
    // keep notes valid only within their transaction).
    std::uint64_t transaction() const { return transactions_.load(); }
    std::size_t queued() const;

  private:
    struct Item {
        Job job;
        Done done;
        EpochMs deadline = 0;
    };
    // A committed (or failed) batch waiting for its completions to be called.
    struct Finished {
        std::vector<Item> batch;
        std::vector<std::exception_ptr> errors;
        std::exception_ptr commit_error;
    };
    void run();
    void run_batch(std::vector<Item>& batch);
    void run_completions();
    // One transaction over the batch; false (rolled back) when a job threw without savepoints.
    bool run_jobs(std::vector<Item>& batch, std::vector<std::exception_ptr>& errors,
                  bool savepoints);

    std::unique_ptr<SQLite::Database> db_;
    const std::size_t max_batch_, max_queue_;
    const Clock* clock_;
    SystemClock system_clock_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::vector<std::function<void()>> observers_;
    std::atomic<bool> last_commit_ok_{true};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> reruns_{0};
    std::atomic<std::uint64_t> transactions_{0};
    std::mutex finished_mu_;
    std::condition_variable finished_cv_;
    std::deque<Finished> finished_;
    // Batches whose completions have not run yet, at most: beyond, the writer waits for the
    // completion thread (so answers never lag far behind commits, and memory stays bounded).
    static constexpr std::size_t kMaxUnfinished = 2;
    bool writer_done_ = false;
    std::thread completions_;  // started before thread_, stopped after it
    std::thread thread_;
};

}  // namespace muster
