#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include <future>

#include "bot/messages/incident_export.h"
#include "storage/database.h"
#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_gate.h"

using namespace muster;

TEST(Database, CreatesFolderUsesWalAndMigrates) {
    test::TempDir dir;
    const std::string path = dir.file("nested/deeper/m.db");
    {
        auto db = open_database({path});
        EXPECT_EQ(db->execAndGet("PRAGMA journal_mode").getString(), "wal");
        EXPECT_EQ(db->execAndGet("PRAGMA user_version").getInt(), current_schema_version());
        EXPECT_EQ(db->execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
        for (const char* t : {"incidents", "timeline", "outbox", "timers", "inbound_dedupe",
                              "incident_channels", "action_items", "id_sequences"})
            EXPECT_TRUE(db->tableExists(t)) << t;
    }
    // Opening again is a no-op migration.
    auto again = open_database({path, "normal"});
    EXPECT_EQ(again->execAndGet("PRAGMA synchronous").getInt(), 1);  // NORMAL
}

TEST(Database, ClearErrorsInsteadOfCrashes) {
    test::TempDir dir;
    try {
        open_database({dir.file("missing.db"), "full", 100, true});
        FAIL() << "read-only open of a missing file must fail";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("no database at"), std::string::npos);
    }
    // A folder where the file should be.
    std::filesystem::create_directories(dir.file("adir.db"));
    EXPECT_THROW(open_database({dir.file("adir.db")}), StorageError);
    // A folder that cannot be created (a file is in the way).
    dir.write("blocker", "x");
    try {
        open_database({dir.file("blocker/m.db")});
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("blocker"), std::string::npos) << e.what();
    }
    // Not a database at all.
    dir.write("junk.db", std::string(4096, 'j'));
    EXPECT_THROW(open_database({dir.file("junk.db")}), StorageError);
}

TEST(Database, RefusesASchemaFromTheFuture) {
    test::TempDir dir;
    {
        auto db = open_database({dir.file("m.db")});
        db->exec("PRAGMA user_version = 999");
    }
    try {
        open_database({dir.file("m.db")});
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos);
    }
}

TEST(SqliteStorage, RoundTripExportOrderAndVersions) {
    test::TempDir dir;
    StorageOptions o;
    o.path = dir.file("m.db");
    auto storage = open_sqlite_storage(o);
    auto apply = [&](Effects fx) {
        std::promise<Applied> done;
        EXPECT_TRUE(storage->apply(std::move(fx), [&done](Applied a) { done.set_value(a); }));
        return done.get_future().get();
    };
    Incident i;
    i.id = "INC-20261122-001";
    i.title = "t";
    i.severity = "P1";
    i.declared_at = 1000;
    i.updated_at = 1000;
    i.acknowledged_at = 2000;
    Effects created;
    created.at = 1000;
    created.created = i;
    // Events recorded out of time order are exported in time order.
    created.timeline.push_back({0, i.id, 5000, "note", "U1", "slack", {}, {}, {}, "later", {}});
    created.timeline.push_back({0, i.id, 3000, "note", "U1", "slack", {}, {}, {}, "earlier", {}});
    ASSERT_EQ(apply(created), Applied::ok);
    const auto back = storage->load(i.id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->incident.acknowledged_at, 2000);
    EXPECT_FALSE(back->incident.resolved_at);
    EXPECT_EQ(back->incident.version, 1);
    const auto doc = export_incident(*storage, i.id);
    ASSERT_TRUE(doc);
    EXPECT_EQ((*doc)["format"], "muster.incident.v1");
    EXPECT_EQ((*doc)["incident"]["acknowledged_at"], "1970-01-01T00:00:02Z");
    EXPECT_EQ((*doc)["timeline"][0]["text"], "earlier");
    EXPECT_EQ((*doc)["timeline"][1]["text"], "later");
    EXPECT_FALSE(export_incident(*storage, "INC-20261122-002"));
    // A duplicate id is refused by the schema, not silently merged; nothing of it is written.
    Effects again = created;
    again.timeline.clear();
    EXPECT_EQ(apply(again), Applied::failed);
    // A change decided on version 1 applies once; the next one decided on version 1 conflicts.
    Effects change;
    change.at = 6000;
    change.updated = back->incident;
    change.updated->title = "renamed";
    ASSERT_EQ(apply(change), Applied::ok);
    EXPECT_EQ(storage->load(i.id)->incident.version, 2);
    change.updated->title = "stale";
    change.timeline.push_back({0, i.id, 7000, "note", "U1", "slack", {}, {}, {}, "lost", {}});
    EXPECT_EQ(apply(change), Applied::conflict);
    EXPECT_EQ(storage->load(i.id)->incident.title, "renamed");
    EXPECT_EQ(storage->timeline(i.id).size(), 2u);  // the conflicting change wrote nothing
    // A dedupe key makes the second delivery a duplicate, writing nothing.
    Effects keyed;
    keyed.at = 8000;
    keyed.dedupe.push_back({"command", "slack:T1:1.2.3", std::string("{}"), 8000});
    keyed.timeline.push_back({0, i.id, 8000, "note", "U1", "slack", {}, {}, {}, "once", {}});
    EXPECT_EQ(apply(keyed), Applied::ok);
    EXPECT_EQ(apply(keyed), Applied::duplicate);
    EXPECT_EQ(storage->timeline(i.id).size(), 3u);
    EXPECT_EQ(storage->answer_for("command", "slack:T1:1.2.3"), "{}");
    storage->stop();
}

// Ids and channel suffixes are handed out ahead of the writer, from what the database says at
// start; the writer keeps the highest used.
TEST(SqliteStorage, SequencesContinueFromTheDatabase) {
    test::TempDir dir;
    StorageOptions o;
    o.path = dir.file("m.db");
    {
        auto storage = open_sqlite_storage(o);
        EXPECT_EQ(storage->next_incident_seq("20261122"), 1);
        EXPECT_EQ(storage->next_incident_seq("20261122"), 2);
        EXPECT_EQ(storage->next_incident_seq("20261123"), 1);
        EXPECT_EQ(storage->next_channel_suffix("console", "a"), 1);
        EXPECT_EQ(storage->next_channel_suffix("console", "a"), 2);
        Effects fx;
        Incident i;
        i.id = "INC-20261122-002";
        i.title = "t";
        i.severity = "P1";
        fx.created = i;
        fx.suffixes.push_back({"console", "a", 2});
        std::promise<Applied> done;
        storage->apply(fx, [&done](Applied a) { done.set_value(a); });
        ASSERT_EQ(done.get_future().get(), Applied::ok);
        storage->stop();
    }
    auto storage = open_sqlite_storage(o);
    EXPECT_EQ(storage->next_incident_seq("20261122"), 3);
    EXPECT_EQ(storage->next_channel_suffix("console", "a"), 3);
    storage->stop();
}

// The writer remembers, within one transaction, which outbox queues already hold a pending row
// (so it need not look). A job that fails and rolls back alone must take that note with it:
// otherwise the next row of a queue it wrote to is queued behind a head that does not exist,
// and never goes out.
TEST(SqliteStorage, AJobRolledBackAloneLeavesEveryQueueWithAHead) {
    test::TempDir dir;
    StorageOptions o;
    o.path = dir.file("m.db");
    auto storage = open_sqlite_storage(o);
    auto op = [](const std::string& queue) {
        QueuedOp q;
        q.destination = "test";
        q.queue = queue;
        q.kind = "post";
        q.payload = "{}";
        return q;
    };
    // Hold the writer so the three land in one batch.
    test::WriterGate gate;
    gate.hold(*storage);
    std::vector<Effects> fx(3);
    for (auto& f : fx) f.at = 1000;
    fx[0].outbox = {op("test:q1")};
    fx[1].outbox = {op("test:q2"), op("elsewhere:q3")};  // the second row is refused: all of it
    fx[2].outbox = {op("test:q2")};
    std::vector<std::promise<Applied>> done(3);
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(storage->apply(
            std::move(fx[static_cast<std::size_t>(i)]),
            [&done, i](Applied a) { done[static_cast<std::size_t>(i)].set_value(a); }));
    const std::uint64_t commits_before = storage->commits();
    gate.release();
    EXPECT_EQ(done[0].get_future().get(), Applied::ok);
    EXPECT_EQ(done[1].get_future().get(), Applied::failed);
    EXPECT_EQ(done[2].get_future().get(), Applied::ok);
    // One batch: the gate's own commit, then the three together (re-run with savepoints).
    EXPECT_EQ(storage->commits() - commits_before, 1u);
    OutboxPort& outbox = *storage;
    const auto due = outbox.due("test", kChatPriority, 2000, 10);
    ASSERT_EQ(due.size(), 2u);  // q1's row and q2's: each queue has its head
    EXPECT_EQ(due[0].queue, "test:q1");
    EXPECT_EQ(due[1].queue, "test:q2");
    storage->stop();
}
