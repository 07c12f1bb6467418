// Retention (issue 8, item 7): settled outbox rows, settled timers and dedupe keys older than
// their configured ages go, in small batches; pending work and anything younger stays.
#include "bot/runtime/retention.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {

constexpr EpochMs kDay = 24LL * 3'600'000;

// Counts the calls and the largest one, around the real storage.
struct CountingPort : RetentionPort {
    RetentionPort& real;
    int calls = 0, largest = 0;
    explicit CountingPort(RetentionPort& r) : real(r) {}
    int prune(const RetentionPolicy& p, EpochMs now, int batch) override {
        const int n = real.prune(p, now, batch);
        ++calls;
        largest = std::max(largest, n);
        return n;
    }
};

int count(const std::string& path, const std::string& sql) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getInt();
}

}  // namespace

TEST(Retention, PrunesOnlySettledRowsPastTheirAgeInSmallBatches) {
    test::TempDir dir;
    FakeClock clock{100 * kDay};
    StorageOptions o;
    o.path = dir.file("r.db");
    o.clock = &clock;
    auto storage = open_sqlite_storage(o);
    storage->stop();  // rows written directly below, as months of history would have left them
    {
        SQLite::Database db(o.path, SQLite::OPEN_READWRITE);
        db.exec("BEGIN");
        db.exec(
            "INSERT INTO incidents (id, title, severity, status, ic, tech, ops, comms, reporter, "
            "source, origin_channel, channel, impact, root_cause, impact_level, urgency_level, "
            "declared_at, acknowledged_by, updated_at, day, seq) VALUES ('INC-19700101-001', 't', "
            "'P1', 'resolved', '', '', '', '', '', 'cli', '', '', '', '', '', '', 0, '', 0, "
            "'19700101', 1)");
        auto add_outbox = [&](const char* status, EpochMs at, int n) {
            for (int i = 0; i < n; ++i)
                db.exec(std::string("INSERT INTO outbox (destination, channel_key, kind, payload, "
                                    "status, next_attempt_at, created_at, delivered_at) VALUES "
                                    "('console', 'console:#c', 'post', '{}', '") +
                        status + "', " + std::to_string(at) + ", " + std::to_string(at) + ", " +
                        (std::string(status) == "pending" ? "NULL" : std::to_string(at)) + ")");
        };
        add_outbox("delivered", 90 * kDay, 1200);  // ten days old: goes
        add_outbox("failed", 90 * kDay, 10);       // settled too: goes
        add_outbox("delivered", 98 * kDay, 20);    // two days old: stays
        add_outbox("pending", 10 * kDay, 5);       // old but not delivered: stays
        for (int i = 0; i < 700; ++i)
            db.exec(
                "INSERT INTO timers (incident_id, kind, key, due_at, state, created_at, "
                "fired_at) VALUES ('INC-19700101-001', 'page', 'k" +
                std::to_string(i) + "', 0, '" + (i < 600 ? "fired" : "pending") + "', " +
                std::to_string(60 * kDay) + ", " +
                (i < 600 ? std::to_string(60 * kDay) : std::string("NULL")) + ")");
        for (int i = 0; i < 800; ++i)
            db.exec("INSERT INTO inbound_dedupe (source, key, received_at) VALUES ('command', 'k" +
                    std::to_string(i) + "', " + std::to_string((i < 750 ? 96 : 99) * kDay) + ")");
        db.exec("COMMIT");
    }
    storage = open_sqlite_storage(o);
    CountingPort port(*storage);
    Retention retention(port, clock, {7 * kDay, 30 * kDay, 3 * kDay}, 60'000, 250);
    EXPECT_EQ(retention.run_once(), 1210 + 600 + 750);
    EXPECT_GE(port.calls, 5);          // 1,210 outbox rows at 250 per table per call
    EXPECT_LE(port.largest, 3 * 250);  // no write is longer than one batch of each table
    storage->stop();
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM outbox WHERE status = 'delivered'"), 20);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'"), 0);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"), 5);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM timers WHERE state = 'pending'"), 100);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM timers"), 100);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM inbound_dedupe"), 50);
    EXPECT_EQ(count(o.path, "SELECT COUNT(*) FROM incidents"), 1);  // the record is never pruned
}
