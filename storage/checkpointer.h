// WAL checkpoints on a thread of their own (storage/ only). SQLite's automatic checkpoint runs
// inside the commit that crosses the threshold, on the single writer: copying pages back into
// the database file and an fsync cost it a sixteenth of its time on the declare path (perf,
// README "Performance"). Here the writer's commit hook counts the WAL's pages; a second
// connection copies them back (PASSIVE: it never blocks the writer or a reader), and the writer
// copies only what was committed during that checkpoint, so the WAL can restart.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace muster {

class Checkpointer {
  public:
    // threshold_pages: the WAL growth (in pages, 4 KiB each by default) that starts a
    // checkpoint, SQLite's own default being 1000.
    Checkpointer(std::string path, int busy_timeout_ms, int threshold_pages = 1000);
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Replaces the writer connection's automatic checkpoint with this thread. Call once, before
    // the writer's first commit; the writer must be closed before this object is destroyed.
    void attach(sqlite3* writer);
    void stop();
    std::uint64_t checkpoints() const { return checkpoints_.load(); }

  private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
    void run();

    const std::string path_;
    const int busy_timeout_ms_, threshold_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool wanted_ = false, stopping_ = false;
    int asked_at_ = 0;  // WAL size at the last request (writer thread only)
    std::atomic<std::uint64_t> checkpoints_{0};
    std::atomic<bool> done_{false};  // a checkpoint finished: the writer copies the remainder
    std::thread thread_;
};

}  // namespace muster
