// The writer's write-ahead-log writes gathered into one write per commit (storage/
// wal_write_buffer.h): fewer writes, and nothing a reader, a checkpoint or a reopen can tell apart
// from SQLite's own writes.
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "storage/database.h"
#include "storage/wal_write_buffer.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {

std::unique_ptr<SQLite::Database> open_plain(const std::string& path) {
    // A second connection on the default VFS, as the readers and the checkpointer are.
    return std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 5000);
}

std::uint64_t gathered_since(const WalWriteCounts& before) {
    return wal_write_counts().gathered - before.gathered;
}

}  // namespace

TEST(WalWriteBuffer, ACommitOfManyPagesIsAFewWrites) {
    test::TempDir dir;
    auto db = open_database({dir.file("m.db")});
    db->exec("CREATE TABLE t (b BLOB)");
    const WalWriteCounts before = wal_write_counts();
    db->exec("BEGIN");
    for (int i = 0; i < 100; ++i) db->exec("INSERT INTO t VALUES (randomblob(3000))");
    db->exec("COMMIT");
    const WalWriteCounts after = wal_write_counts();
    const auto gathered = after.gathered - before.gathered;
    const auto written = after.written - before.written;
    // ~100 pages: SQLite writes each frame as a header and a page.
    EXPECT_GE(gathered, 200u);
    // 100 frames of 4,120 bytes in 64 KiB writes.
    EXPECT_LE(written, 8u) << gathered << " writes became " << written;
    EXPECT_EQ(open_plain(dir.file("m.db"))->execAndGet("SELECT count(*) FROM t").getInt(), 100);
}

TEST(WalWriteBuffer, NotUsedWhenCommitsDoNotSyncTheLog) {
    // With synchronous = NORMAL a commit is visible before the log is synced: held bytes would
    // be invisible to readers then, so such a connection writes the log itself.
    test::TempDir dir;
    auto db = open_database({dir.file("m.db"), "normal"});
    db->exec("CREATE TABLE t (b BLOB)");
    const WalWriteCounts before = wal_write_counts();
    db->exec("INSERT INTO t VALUES (randomblob(10000))");
    EXPECT_EQ(wal_write_counts().gathered, before.gathered);
}

TEST(WalWriteBuffer, LargeSpilledAndRewrittenTransactionsReadBackIntact) {
    test::TempDir dir;
    const std::string path = dir.file("m.db");
    {
        const WalWriteCounts before = wal_write_counts();
        auto db = open_database({path});
        // A tiny page cache: the transaction spills frames to the log before it commits, reads
        // them back and writes some of them again (the read and the rewrite must see the held
        // bytes); 12 MB is more than the 4 MiB held at most and the 128 KiB the unix VFS writes
        // in one call.
        db->exec("PRAGMA cache_size = 10");
        db->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB, n INTEGER)");
        db->exec("BEGIN");
        for (int i = 0; i < 3000; ++i)
            db->exec("INSERT INTO t (b, n) VALUES (zeroblob(4000), " + std::to_string(i) + ")");
        db->exec("UPDATE t SET n = n + 1 WHERE k % 7 = 0");
        db->exec("COMMIT");
        EXPECT_GT(gathered_since(before), 6000u);  // the shim was in the way
        auto reader = open_plain(path);
        EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM t").getInt(), 3000);
        EXPECT_EQ(reader->execAndGet("SELECT sum(length(b)) FROM t").getInt64(), 12'000'000);
        EXPECT_EQ(reader->execAndGet("SELECT sum(n) FROM t").getInt64(),
                  2999LL * 3000 / 2 + 428);  // 428 multiples of 7 in 1..3000
        EXPECT_EQ(reader->execAndGet("PRAGMA integrity_check").getString(), "ok");
        // Copied back into the database file by a checkpoint on another connection.
        reader->exec("PRAGMA wal_checkpoint(TRUNCATE)");
        // And the log restarted from its first frame by the next commit.
        db->exec("DELETE FROM t WHERE k > 1000");
        EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM t").getInt(), 1000);
    }
    // Reopened after both connections closed.
    auto again = open_plain(path);
    EXPECT_EQ(again->execAndGet("SELECT count(*) FROM t").getInt(), 1000);
    EXPECT_EQ(again->execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST(WalWriteBuffer, ReadersNeverSeeAPartOfACommit) {
    // Each commit adds a row and its negation: a reader that read a frame before its bytes were
    // in the file would see an odd count, a non-zero sum or a corrupt page.
    test::TempDir dir;
    const std::string path = dir.file("m.db");
    const WalWriteCounts before = wal_write_counts();
    auto db = open_database({path});
    db->exec("CREATE TABLE t (v INTEGER, pad BLOB)");
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, bad{0};
    std::string failure;
    std::thread reader([&] {
        try {
            auto r = open_plain(path);
            SQLite::Statement q(*r, "SELECT count(*), coalesce(sum(v), 0) FROM t");
            while (!done.load()) {
                q.executeStep();
                if (q.getColumn(0).getInt64() % 2 != 0 || q.getColumn(1).getInt64() != 0) ++bad;
                q.reset();
                ++reads;
            }
        } catch (const std::exception& e) {
            failure = e.what();
            ++bad;
        }
    });
    for (int i = 1; i <= 300; ++i) {
        db->exec("BEGIN");
        db->exec("INSERT INTO t VALUES (" + std::to_string(i) + ", randomblob(2000))");
        db->exec("INSERT INTO t VALUES (" + std::to_string(-i) + ", randomblob(2000))");
        db->exec("COMMIT");
    }
    done = true;
    reader.join();
    EXPECT_EQ(bad.load(), 0) << failure;
    EXPECT_GT(reads.load(), 0);
    EXPECT_GT(gathered_since(before), 600u);
    EXPECT_EQ(db->execAndGet("SELECT count(*) FROM t").getInt(), 600);
}

TEST(WalWriteBuffer, EveryCommitIsInTheFilesWhenItReturns) {
    // What a power cut right after the answer would leave: the database and its log as they are
    // on disk (copied while the writer is still open, without the shared-memory index), opened
    // elsewhere, hold every commit made so far.
    test::TempDir dir;
    const std::string path = dir.file("m.db");
    auto db = open_database({path});
    db->exec("CREATE TABLE t (b BLOB)");
    namespace fs = std::filesystem;
    for (int i = 1; i <= 20; ++i) {
        db->exec("BEGIN");
        for (int j = 0; j < 30; ++j) db->exec("INSERT INTO t VALUES (randomblob(3000))");
        db->exec("COMMIT");
        const std::string copy = dir.file("copy" + std::to_string(i));
        fs::create_directories(copy);
        fs::copy_file(path, copy + "/m.db");
        fs::copy_file(path + "-wal", copy + "/m.db-wal");
        auto c = open_plain(copy + "/m.db");
        ASSERT_EQ(c->execAndGet("SELECT count(*) FROM t").getInt(), i * 30) << "after commit " << i;
        ASSERT_EQ(c->execAndGet("PRAGMA integrity_check").getString(), "ok");
    }
}

TEST(WalWriteBuffer, ARolledBackTransactionLeavesNothingBehindForTheNextWriter) {
    // Frames a rolled-back transaction spilled must never land over frames another connection
    // committed in between (an operator's sqlite3 shell, say). (SQLite 3.40 reads pages back
    // while it rolls back, so here they are written, harmlessly, before the write lock goes;
    // the rollback hook that drops anything still held is a guard for the cases where not.)
    test::TempDir dir;
    const std::string path = dir.file("m.db");
    {
        auto db = open_database({path});
        db->exec("PRAGMA cache_size = 10");
        db->exec("CREATE TABLE t (who TEXT, b BLOB)");
        db->exec("BEGIN");
        for (int i = 0; i < 200; ++i) db->exec("INSERT INTO t VALUES ('gone', zeroblob(4000))");
        db->exec("ROLLBACK");
        auto other = open_plain(path);
        for (int i = 0; i < 50; ++i) other->exec("INSERT INTO t VALUES ('other', zeroblob(4000))");
        other.reset();
        db->exec("INSERT INTO t VALUES ('writer', zeroblob(4000))");
        auto reader = open_plain(path);
        EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM t WHERE who = 'other'").getInt(), 50);
        EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM t WHERE who = 'writer'").getInt(), 1);
        EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM t WHERE who = 'gone'").getInt(), 0);
        EXPECT_EQ(reader->execAndGet("PRAGMA integrity_check").getString(), "ok");
        // Closed with a rolled-back transaction's frames spilled.
        db->exec("BEGIN");
        for (int i = 0; i < 200; ++i) db->exec("INSERT INTO t VALUES ('gone', zeroblob(4000))");
        db->exec("ROLLBACK");
    }
    auto again = open_plain(path);
    EXPECT_EQ(again->execAndGet("SELECT count(*) FROM t").getInt(), 51);
    EXPECT_EQ(again->execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST(WalWriteBuffer, NotUsedWithoutPowersafeOverwrite) {
    // Without it SQLite syncs in the middle of a commit's last frame: the shim must stand aside.
    test::TempDir dir;
    const std::string uri = "file:" + dir.file("m.db") + "?psow=0";
    SQLite::Database without(uri.c_str(),
                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_URI, 5000,
                             wal_write_buffer_vfs());
    EXPECT_FALSE(gather_wal_writes(without.getHandle()));
    SQLite::Database with(dir.file("n.db").c_str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                          5000, wal_write_buffer_vfs());
    EXPECT_TRUE(gather_wal_writes(with.getHandle()));
}
