// Versioned schema. Never edit a shipped migration: add a new one at the end.
#include <SQLiteCpp/Transaction.h>

#include "storage/database.h"

namespace muster {

namespace {

const char* const kMigrations[] = {
    // v1: the foundation. Timestamps are UTC epoch milliseconds.
    R"sql(
CREATE TABLE incidents (
    id              TEXT PRIMARY KEY,
    day             TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    title           TEXT NOT NULL,
    severity        TEXT NOT NULL,
    status          TEXT NOT NULL,
    ic              TEXT NOT NULL DEFAULT '',
    tech            TEXT NOT NULL DEFAULT '',
    ops             TEXT NOT NULL DEFAULT '',
    comms           TEXT NOT NULL DEFAULT '',
    reporter        TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    origin_channel  TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    impact          TEXT NOT NULL DEFAULT '',
    root_cause      TEXT NOT NULL DEFAULT '',
    impact_level    TEXT NOT NULL DEFAULT '',
    urgency_level   TEXT NOT NULL DEFAULT '',
    declared_at     INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    mitigated_at    INTEGER,
    resolved_at     INTEGER,
    updated_at      INTEGER NOT NULL,
    UNIQUE (day, seq)
);
CREATE INDEX incidents_by_status ON incidents (status, declared_at);

CREATE TABLE id_sequences (
    day      TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

CREATE TABLE incident_channels (
    channel_id  TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    platform    TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX incident_channels_by_incident ON incident_channels (incident_id);

CREATE TABLE timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    text        TEXT NOT NULL DEFAULT '',
    data        TEXT
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, at, id);

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    text        TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    due         TEXT,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    done_at     INTEGER
);
CREATE INDEX action_items_by_incident ON action_items (incident_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id     TEXT,
    destination     TEXT NOT NULL,
    channel_key     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT,
    result          TEXT
);
CREATE INDEX outbox_pending ON outbox (channel_key, id) WHERE status = 'pending';

CREATE TABLE timers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL DEFAULT 'pending',
    created_at  INTEGER NOT NULL,
    fired_at    INTEGER,
    UNIQUE (incident_id, kind, key)
);
CREATE INDEX timers_due ON timers (due_at) WHERE state = 'pending';

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE inbound_dedupe (
    source      TEXT NOT NULL,
    key         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (source, key)
);
)sql",
    // v2: messages Muster posted and must find again (to update a headline, to pin), per platform.
    R"sql(
CREATE TABLE chat_messages (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    platform    TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (incident_id, platform, purpose, channel)
);
)sql",
    // v3: every page sent, so acknowledge/resolve can follow each PagerDuty dedup_key and a
    // level is paged at most once per attempt.
    R"sql(
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    level       INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    contact     TEXT NOT NULL,
    dedup_key   TEXT NOT NULL,
    methods     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (incident_id, level, attempt, contact)
);
CREATE INDEX pages_by_incident ON pages (incident_id);
)sql",
    // v4: a command delivered again under the same key (Slack's trigger_id) is answered with the
    // first answer; channel names already used, so the next "-N" is known without probing.
    R"sql(
ALTER TABLE inbound_dedupe ADD COLUMN reply TEXT;
CREATE INDEX inbound_dedupe_by_age ON inbound_dedupe (received_at);
CREATE TABLE channel_names (
    platform    TEXT NOT NULL,
    base        TEXT NOT NULL,
    last_suffix INTEGER NOT NULL,
    PRIMARY KEY (platform, base)
);
)sql",
};

}  // namespace

int current_schema_version() {
    return static_cast<int>(std::size(kMigrations));
}

void migrate(SQLite::Database& db) {
    const int have = db.execAndGet("PRAGMA user_version").getInt();
    if (have > current_schema_version())
        throw StorageError("database schema version " + std::to_string(have) +
                           " is newer than this muster understands (" +
                           std::to_string(current_schema_version()) + "); upgrade muster");
    for (int v = have; v < current_schema_version(); ++v) {
        SQLite::Transaction tx(db);
        db.exec(kMigrations[v]);
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        tx.commit();
    }
}

}  // namespace muster
