// Versioned schema. Never edit a shipped migration: add a new one at the end.
#include <SQLiteCpp/Transaction.h>

#include <iterator>

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
    // v5: the core behind ports. Incidents carry a version (decisions are made on reads off the
    // writer and commit only if nothing changed meanwhile); each outbox queue marks its head and
    // rows carry a priority, so a lane finds its due work from one index range (pages first, no
    // scan of the backlog); action items are numbered per incident; indexes for retention and
    // for every read on the request path. Each index is paid for on every declaration (about
    // four pages per declaration reach the WAL), so an incident's own timers and timeline are
    // found through its incident_id prefix rather than one more index per question.
    R"sql(
ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
DROP INDEX incidents_by_status;
CREATE INDEX incidents_open ON incidents (declared_at DESC, seq DESC) WHERE status <> 'resolved';
CREATE INDEX incidents_by_time ON incidents (declared_at DESC, seq DESC);
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN is_head INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET priority = 0 WHERE kind = 'page' OR kind LIKE 'pagerduty_%';
UPDATE outbox SET is_head = 1
    WHERE id IN (SELECT MIN(id) FROM outbox WHERE status = 'pending' GROUP BY channel_key);
CREATE INDEX outbox_due ON outbox (destination, priority, next_attempt_at)
    WHERE status = 'pending' AND is_head = 1;
CREATE INDEX outbox_pending_by_incident ON outbox (incident_id, kind) WHERE status = 'pending';
CREATE INDEX outbox_settled ON outbox (delivered_at) WHERE status <> 'pending';
UPDATE timers SET fired_at = created_at WHERE state <> 'pending' AND fired_at IS NULL;
CREATE INDEX timers_settled ON timers (fired_at) WHERE state <> 'pending';
CREATE INDEX chat_messages_by_ts ON chat_messages (platform, channel, ts);
ALTER TABLE action_items ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE action_items SET number = (SELECT COUNT(*) FROM action_items a
    WHERE a.incident_id = action_items.incident_id AND a.id <= action_items.id);
)sql",
    // v6: alert intake. What an outside thing currently belongs to (a PagerDuty incident, an
    // alert group, a heartbeat, a correlation label value), every alert's last known state by
    // its fingerprint, and timers that belong to no incident yet (a heartbeat's deadline): the
    // timers table is rebuilt with incident_id nullable.
    R"sql(
CREATE TABLE incident_links (
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (source, external_id)
) WITHOUT ROWID;
CREATE INDEX incident_links_by_incident ON incident_links (incident_id, source);
CREATE TABLE alerts (
    source      TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    status      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    labels      TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    resolved_at INTEGER,
    PRIMARY KEY (source, group_key, fingerprint)
) WITHOUT ROWID;
CREATE INDEX alerts_firing_by_incident ON alerts (incident_id) WHERE status = 'firing';
CREATE TABLE timers_v6 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT REFERENCES incidents (id),
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL DEFAULT 'pending',
    created_at  INTEGER NOT NULL,
    fired_at    INTEGER,
    UNIQUE (incident_id, kind, key)
);
INSERT INTO timers_v6 (id, incident_id, kind, key, due_at, payload, state, created_at, fired_at)
    SELECT id, incident_id, kind, key, due_at, payload, state, created_at, fired_at FROM timers;
DROP TABLE timers;
ALTER TABLE timers_v6 RENAME TO timers;
CREATE INDEX timers_due ON timers (due_at) WHERE state = 'pending';
CREATE INDEX timers_settled ON timers (fired_at) WHERE state <> 'pending';
CREATE INDEX timers_unbound ON timers (kind, key) WHERE incident_id IS NULL AND state = 'pending';
)sql",
    // v7: the review and the reports. Action items are open or done (done_at was in v1); a
    // drill (handled as an incident) and a declined incident (not one after all) are left out of
    // the numbers; reports read incidents and pages by time.
    R"sql(
ALTER TABLE action_items ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN declined INTEGER NOT NULL DEFAULT 0;
CREATE INDEX pages_by_time ON pages (at);
CREATE INDEX action_items_open ON action_items (due) WHERE status = 'open';
)sql",
    // v8: the link an alert source's incident came from, on the record (it was only in the
    // declaration's timeline data, so a refreshed declaration lost it).
    R"sql(
ALTER TABLE incidents ADD COLUMN source_link TEXT NOT NULL DEFAULT '';
UPDATE incidents SET source_link = IFNULL((SELECT json_extract(t.data, '$.link') FROM timeline t
    WHERE t.incident_id = incidents.id AND t.type = 'declared' AND json_valid(t.data)
    ORDER BY t.id LIMIT 1), '');
)sql",
    // v9: only queued pages are ever withdrawn (an acknowledgement withdraws the pages still
    // waiting), so only they are indexed by incident: a chat message no longer pays two index
    // writes (queued, delivered) on the writer for it (issue 8, README "Performance").
    R"sql(
DROP INDEX outbox_pending_by_incident;
CREATE INDEX outbox_pending_pages_by_incident ON outbox (incident_id, kind)
    WHERE status = 'pending' AND priority = 0;
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
