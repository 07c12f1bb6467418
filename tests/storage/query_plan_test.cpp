// No query on the request path, in a delivery lane, in the timer loop or in retention grows with
// history: each is answered from an index. Held to it by the query planner itself, on a database
// with 100,000 old rows in every table that grows (no timing, so nothing flaky).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <regex>

#include "storage/sql.h"
#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {
void fill_with_history(SQLite::Database& db, int n) {
    db.exec("BEGIN");
    SQLite::Statement inc(db,
                          "INSERT INTO incidents (id, day, seq, title, severity, status, "
                          "declared_at, updated_at) VALUES (?, '20250101', ?, 't', 'P2', "
                          "'resolved', ?, ?)");
    SQLite::Statement tl(db,
                         "INSERT INTO timeline (incident_id, at, type, text) VALUES (?, ?, "
                         "'note', 'old')");
    SQLite::Statement ob(
        db,
        "INSERT INTO outbox (incident_id, destination, channel_key, kind, payload, "
        "status, next_attempt_at, created_at, delivered_at) VALUES (?, 'console', "
        "?, 'declaration', '{}', 'delivered', ?, ?, ?)");
    SQLite::Statement tm(db,
                         "INSERT INTO timers (incident_id, kind, key, due_at, state, created_at, "
                         "fired_at) VALUES (?, 'page', ?, ?, 'fired', ?, ?)");
    SQLite::Statement dd(db,
                         "INSERT INTO inbound_dedupe (source, key, received_at) VALUES ('command', "
                         "?, ?)");
    for (int i = 0; i < n; ++i) {
        const std::string id = "INC-20250101-" + std::to_string(1000 + i);
        const int64_t at = 1'700'000'000'000LL + i;
        for (auto* st : {&inc, &tl, &ob, &tm, &dd}) st->reset();
        inc.bind(1, id);
        inc.bind(2, i + 1000);
        inc.bind(3, at);
        inc.bind(4, at);
        inc.exec();
        tl.bind(1, id);
        tl.bind(2, at);
        tl.exec();
        ob.bind(1, id);
        ob.bind(2, "console:#c" + std::to_string(i));
        ob.bind(3, at);
        ob.bind(4, at);
        ob.bind(5, at);
        ob.exec();
        tm.bind(1, id);
        tm.bind(2, "L1.1@" + std::to_string(at));
        tm.bind(3, at);
        tm.bind(4, at);
        tm.bind(5, at);
        tm.exec();
        dd.bind(1, "key-" + std::to_string(i));
        dd.bind(2, at);
        dd.exec();
    }
    db.exec("COMMIT");
}
}  // namespace

TEST(QueryPlan, EveryHotQueryIsAnsweredFromAnIndexWith100kOldRows) {
    test::TempDir dir;
    {
        StorageOptions o;
        o.path = dir.file("m.db");
        open_sqlite_storage(o)->stop();  // creates and migrates the schema
    }
    SQLite::Database db(dir.file("m.db"), SQLite::OPEN_READWRITE);
    fill_with_history(db, 100'000);
    db.exec("ANALYZE");  // the planner's view of a database that has lived
    // A full scan of a table ("SCAN outbox", without an index) is what grows with history.
    const std::regex full_scan(R"(^SCAN (\w+)$)");
    for (const auto& [name, statement] : sql::hot_queries()) {
        SQLite::Statement plan(db, std::string("EXPLAIN QUERY PLAN ") + statement);
        std::string steps;
        while (plan.executeStep()) {
            const std::string detail = plan.getColumn(3).getString();
            steps += detail + "; ";
            EXPECT_FALSE(std::regex_match(detail, full_scan))
                << name << " scans a whole table: " << detail << "\n  " << statement;
        }
        EXPECT_FALSE(steps.empty()) << name;
    }
}
