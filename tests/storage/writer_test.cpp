#include "storage/writer.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {
int count_rows(Writer& w) {
    return w
        .call<int>([](SQLite::Database& db) {
            return db.execAndGet("SELECT COUNT(*) FROM meta").getInt();
        })
        .get();
}
void insert(SQLite::Database& db, const std::string& key) {
    SQLite::Statement st(db, "INSERT INTO meta (key, value) VALUES (?, 'v')");
    st.bind(1, key);
    st.exec();
}
}  // namespace

// Holds the writer inside a job until released, so what is submitted meanwhile queues up and
// must go into the next batch together.
struct Hold {
    std::promise<void> started, gate;
    explicit Hold(Writer& w) {
        auto gate_future = gate.get_future().share();
        w.submit(
            [this, gate_future](SQLite::Database&) {
                started.set_value();
                gate_future.wait();
            },
            nullptr);
        started.get_future().wait();  // the writer is inside the job now
    }
    void release() { gate.set_value(); }
};

TEST(Writer, AFailingJobRollsBackAloneInItsBatch) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    Hold hold(w);
    std::vector<std::exception_ptr> results(3);
    std::vector<std::promise<void>> done(3);
    for (int i = 0; i < 3; ++i)
        w.submit(
            [i](SQLite::Database& db) {
                insert(db, "k" + std::to_string(i));
                if (i == 1) throw std::runtime_error("job 1 refuses");
            },
            [&, i](std::exception_ptr e) {
                results[i] = e;
                done[i].set_value();
            });
    const auto commits_before = w.commits();
    hold.release();
    for (auto& d : done) d.get_future().wait();
    // The held job's batch, then one batch for the three: the failure did not split it.
    EXPECT_EQ(w.commits() - commits_before, 2u);
    EXPECT_FALSE(results[0]);
    EXPECT_TRUE(results[1]);
    EXPECT_FALSE(results[2]);
    EXPECT_EQ(count_rows(w), 2);
}

TEST(Writer, JobsQueuedWhileItIsBusyShareOneCommit) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    Hold hold(w);
    std::vector<std::future<int>> results;
    for (int i = 0; i < 100; ++i)
        results.push_back(w.call<int>([i](SQLite::Database& db) {
            insert(db, "g" + std::to_string(i));
            return i;
        }));
    const auto commits_before = w.commits();
    hold.release();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)].get(), i);
    EXPECT_EQ(w.commits() - commits_before, 2u);  // the held job's, then all 100 together
    EXPECT_EQ(count_rows(w), 100);
}

TEST(Writer, ObserversWakeForWritesNotForReads) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    std::atomic<int> woken{0};
    w.on_commit([&woken] { ++woken; });
    count_rows(w);  // a read: commits, but there is nothing new for anyone to look at
    EXPECT_EQ(woken.load(), 0);
    w.call<int>([](SQLite::Database& db) {
         insert(db, "k");
         return 0;
     }).get();
    // The observer runs on the writer thread after the job's batch committed: one more job
    // through the queue orders us after it.
    count_rows(w);
    EXPECT_EQ(woken.load(), 1);
    count_rows(w);
    EXPECT_EQ(woken.load(), 1);
}

TEST(Writer, GroupCommitUnderConcurrencyLosesNothing) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i)
                if (w.call<int>([&](SQLite::Database& db) {
                         insert(db, std::to_string(t) + "-" + std::to_string(i));
                         return 1;
                     }).get() == 1)
                    ++ok;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 400);
    EXPECT_EQ(count_rows(w), 400);
}

TEST(Writer, CompletionComesAfterTheDataIsOnDisk) {
    test::TempDir dir;
    const std::string path = dir.file("w.db");
    Writer w(open_database({path}));
    w.call<int>([](SQLite::Database& db) {
         insert(db, "durable");
         return 0;
     }).get();
    // A second, independent connection sees the row as soon as the caller was told "done".
    SQLite::Database reader(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(reader.execAndGet("SELECT COUNT(*) FROM meta WHERE key='durable'").getInt(), 1);
}

TEST(Writer, StopDrainsTheQueueThenRefuses) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    std::atomic<int> completed{0};
    for (int i = 0; i < 100; ++i)
        w.submit([i](SQLite::Database& db) { insert(db, std::to_string(i)); },
                 [&](std::exception_ptr e) {
                     if (!e) ++completed;
                 });
    w.stop();
    EXPECT_EQ(completed.load(), 100);
    EXPECT_FALSE(w.submit([](SQLite::Database&) {}, nullptr));
    EXPECT_THROW(w.call<int>([](SQLite::Database&) { return 1; }).get(), std::runtime_error);
}

// What a caller does when told "durable" (build an answer, decide again after a conflict) runs on
// the completion thread, in commit order, and does not hold up the next writes.
TEST(Writer, CompletionsRunInCommitOrderOffTheWriterThread) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    std::mutex mu;
    std::vector<int> order;
    std::vector<std::thread::id> job_threads, done_threads;
    std::vector<std::promise<void>> done(20);
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(w.submit(
            [&, i](SQLite::Database& db) {
                insert(db, "k" + std::to_string(i));
                std::lock_guard<std::mutex> lk(mu);
                job_threads.push_back(std::this_thread::get_id());
            },
            [&, i](std::exception_ptr e) {
                EXPECT_FALSE(e);
                {
                    std::lock_guard<std::mutex> lk(mu);
                    order.push_back(i);
                    done_threads.push_back(std::this_thread::get_id());
                }
                done[static_cast<std::size_t>(i)].set_value();
            }));
    for (auto& d : done) d.get_future().get();
    std::vector<int> expected(20);
    for (int i = 0; i < 20; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(order, expected);
    for (const auto& t : done_threads) {
        EXPECT_NE(t, job_threads.front());
        EXPECT_NE(t, std::this_thread::get_id());
    }
}

TEST(Writer, ASlowCompletionDoesNotHoldUpTheNextCommit) {
    test::TempDir dir;
    Writer w(open_database({dir.file("w.db")}));
    std::promise<void> in_completion, gate;
    auto gate_future = gate.get_future().share();
    ASSERT_TRUE(w.submit([](SQLite::Database& db) { insert(db, "slow"); },
                         [&in_completion, gate_future](std::exception_ptr) {
                             in_completion.set_value();
                             gate_future.wait();
                         }));
    in_completion.get_future().wait();
    // The first answer is still being built; the next write commits meanwhile.
    std::promise<void> second_ran;
    ASSERT_TRUE(w.submit(
        [&second_ran](SQLite::Database& db) {
            insert(db, "next");
            second_ran.set_value();
        },
        nullptr));
    EXPECT_EQ(second_ran.get_future().wait_for(std::chrono::seconds(10)),
              std::future_status::ready);
    gate.set_value();
    EXPECT_EQ(count_rows(w), 2);
}
