#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "storage/database.h"
#include "storage/export.h"
#include "storage/incident_store.h"
#include "tests/support/temp_dir.h"

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

TEST(IncidentStore, RoundTripAndExportOrder) {
    test::TempDir dir;
    auto db = open_database({dir.file("m.db")});
    Incident i;
    i.id = "INC-20261122-001";
    i.title = "t";
    i.severity = "P1";
    i.declared_at = 1000;
    i.updated_at = 1000;
    i.acknowledged_at = 2000;
    insert_incident(*db, i);
    const auto back = load_incident(*db, i.id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->acknowledged_at, 2000);
    EXPECT_FALSE(back->resolved_at);
    // Events recorded out of time order are exported in time order.
    TimelineEvent late{0, i.id, 5000, "note", "U1", "slack", {}, {}, {}, "later", {}};
    TimelineEvent early{0, i.id, 3000, "note", "U1", "slack", {}, {}, {}, "earlier", {}};
    append_timeline(*db, late);
    append_timeline(*db, early);
    const auto doc = export_incident(*db, i.id);
    ASSERT_TRUE(doc);
    EXPECT_EQ((*doc)["format"], "muster.incident.v1");
    EXPECT_EQ((*doc)["incident"]["acknowledged_at"], "1970-01-01T00:00:02Z");
    EXPECT_EQ((*doc)["timeline"][0]["text"], "earlier");
    EXPECT_EQ((*doc)["timeline"][1]["text"], "later");
    EXPECT_FALSE(export_incident(*db, "INC-20261122-002"));
    // A duplicate id is refused by the schema, not silently merged.
    EXPECT_THROW(insert_incident(*db, i), SQLite::Exception);
}
