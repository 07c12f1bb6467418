// Every statement the SQLite adapter runs, by name (storage/ only). Each one on the request path,
// in a delivery lane, in the timer loop or in retention is answered from an index; hot_queries()
// lists them for tests/storage/query_plan_test.cpp, which holds every one to that against a
// database with 100,000 old rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace muster::sql {

#define MUSTER_INCIDENT_COLUMNS                                                                \
    "id, title, severity, status, ic, tech, ops, comms, reporter, source, origin_channel, "    \
    "channel, impact, root_cause, impact_level, urgency_level, declared_at, acknowledged_at, " \
    "acknowledged_by, mitigated_at, resolved_at, updated_at, version, drill, declined, "       \
    "source_link"
#define MUSTER_TIMER_COLUMNS "id, IFNULL(incident_id, ''), kind, key, due_at, payload, state"
#define MUSTER_OUTBOX_COLUMNS                                                          \
    "id, IFNULL(incident_id, ''), destination, channel_key, kind, payload, attempts, " \
    "next_attempt_at, created_at, status, delivered_at, last_error, priority"

// Reads
inline constexpr const char* kLoadIncident =
    "SELECT " MUSTER_INCIDENT_COLUMNS " FROM incidents WHERE id = ?";
inline constexpr const char* kPendingTimersOfIncident =
    "SELECT " MUSTER_TIMER_COLUMNS
    " FROM timers WHERE incident_id = ? AND state = 'pending' ORDER BY due_at, id";
inline constexpr const char* kPagesOfIncident =
    "SELECT level, attempt, contact, dedup_key, methods, at FROM pages WHERE incident_id = ? "
    "ORDER BY id";
inline constexpr const char* kActionItemCount =
    "SELECT COUNT(*), IFNULL(SUM(created_by = 'muster' AND text = 'Post-incident review'), 0) "
    "FROM action_items WHERE incident_id = ?";
inline constexpr const char* kIncidentForChannel =
    "SELECT incident_id FROM incident_channels WHERE channel_id = ?";
inline constexpr const char* kListOpen =
    "SELECT " MUSTER_INCIDENT_COLUMNS
    " FROM incidents WHERE status <> 'resolved' ORDER BY declared_at DESC, seq DESC LIMIT ?";
inline constexpr const char* kListAll = "SELECT " MUSTER_INCIDENT_COLUMNS
                                        " FROM incidents ORDER BY declared_at DESC, seq DESC "
                                        "LIMIT ?";
// A page of incidents, newest first, after a cursor (declared_at, seq) and since a time.
inline constexpr const char* kListPage =
    "SELECT " MUSTER_INCIDENT_COLUMNS
    ", seq FROM incidents WHERE declared_at >= ?1 AND (declared_at < ?2 OR (declared_at = ?2 AND "
    "seq < ?3)) ORDER BY declared_at DESC, seq DESC LIMIT ?4";
inline constexpr const char* kListPageOpen =
    "SELECT " MUSTER_INCIDENT_COLUMNS
    ", seq FROM incidents WHERE status <> 'resolved' AND declared_at >= ?1 AND (declared_at < ?2 "
    "OR (declared_at = ?2 AND seq < ?3)) ORDER BY declared_at DESC, seq DESC LIMIT ?4";
inline constexpr const char* kPagesBetween =
    "SELECT incident_id, level, attempt, contact, dedup_key, methods, at FROM pages WHERE at >= ? "
    "AND at < ? ORDER BY at";
inline constexpr const char* kOpenActionItems =
    "SELECT id, incident_id, number, text, owner, due, created_at, created_by, status, done_at "
    "FROM action_items WHERE status = 'open' AND due IS NOT NULL AND due < ? ORDER BY due, id";
inline constexpr const char* kTimeline =
    "SELECT id, incident_id, at, type, actor, source, field, old_value, new_value, text, data "
    "FROM timeline WHERE incident_id = ? ORDER BY at, id";
inline constexpr const char* kActionItems =
    "SELECT id, incident_id, number, text, owner, due, created_at, created_by, status, done_at "
    "FROM action_items WHERE incident_id = ? ORDER BY id";
inline constexpr const char* kNotesSinceLastUpdate =
    "SELECT text FROM timeline WHERE incident_id = ?1 AND type = 'note' AND id > IFNULL((SELECT "
    "MAX(id) FROM timeline WHERE incident_id = ?1 AND type = 'status_update' AND at < ?2), 0) "
    "ORDER BY id DESC LIMIT 5";
inline constexpr const char* kAnswerFor =
    "SELECT reply FROM inbound_dedupe WHERE source = ? AND key = ?";
inline constexpr const char* kSeen = "SELECT 1 FROM inbound_dedupe WHERE source = ? AND key = ?";
inline constexpr const char* kPostedByMuster =
    "SELECT 1 FROM chat_messages WHERE platform = ? AND channel = ? AND ts = ?";
inline constexpr const char* kChannelOf =
    "SELECT channel_id, name, created_at FROM incident_channels WHERE incident_id = ? AND "
    "platform = ? ORDER BY created_at LIMIT 1";
inline constexpr const char* kMessages =
    "SELECT channel, ts, created_at FROM chat_messages WHERE incident_id = ? AND platform = ? "
    "AND purpose = ? ORDER BY created_at, channel";
inline constexpr const char* kLastChannelSuffix =
    "SELECT last_suffix FROM channel_names WHERE platform = ? AND base = ?";
inline constexpr const char* kLastIncidentSeq = "SELECT last_seq FROM id_sequences WHERE day = ?";
inline constexpr const char* kLink =
    "SELECT source, external_id, incident_id, data, created_at FROM incident_links WHERE source = "
    "? AND external_id = ?";
inline constexpr const char* kLinksOfIncident =
    "SELECT source, external_id, incident_id, data, created_at FROM incident_links WHERE "
    "incident_id = ? ORDER BY source, external_id";
inline constexpr const char* kAlertsOfGroup =
    "SELECT fingerprint, status, summary, IFNULL(incident_id, ''), labels, first_seen, last_seen "
    "FROM alerts WHERE source = ? AND group_key = ?";
inline constexpr const char* kFiringAlertsOfIncident =
    "SELECT COUNT(*) FROM alerts WHERE incident_id = ? AND status = 'firing'";
inline constexpr const char* kUnboundTimers =
    "SELECT " MUSTER_TIMER_COLUMNS
    " FROM timers WHERE incident_id IS NULL AND state = 'pending' AND kind = ? AND key >= ? AND "
    "key < ? ORDER BY due_at";
inline constexpr const char* kOutboxDue =
    "SELECT " MUSTER_OUTBOX_COLUMNS
    " FROM outbox WHERE destination = ? AND priority = ? AND status = 'pending' AND is_head = 1 "
    "AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?";
inline constexpr const char* kOutboxNextDue =
    "SELECT next_attempt_at FROM outbox WHERE destination = ? AND priority = ? AND status = "
    "'pending' AND is_head = 1 ORDER BY next_attempt_at LIMIT 1";
inline constexpr const char* kOutboxFollowers =
    "SELECT " MUSTER_OUTBOX_COLUMNS
    " FROM outbox WHERE channel_key = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?";
inline constexpr const char* kOutboxPendingByDestination =
    "SELECT destination, COUNT(*) FROM outbox WHERE status = 'pending' GROUP BY destination";
inline constexpr const char* kOutboxOfIncident =
    "SELECT " MUSTER_OUTBOX_COLUMNS " FROM outbox WHERE incident_id = ? ORDER BY id";
inline constexpr const char* kTimersDue =
    "SELECT " MUSTER_TIMER_COLUMNS
    " FROM timers WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?";
inline constexpr const char* kTimersNextDue =
    "SELECT MIN(due_at) FROM timers WHERE state = 'pending'";

// Writes
inline constexpr const char* kInsertIncident =
    "INSERT INTO incidents (" MUSTER_INCIDENT_COLUMNS
    ", day, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?)";
inline constexpr const char* kKeepIncidentSeq =
    "INSERT INTO id_sequences (day, last_seq) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET "
    "last_seq = MAX(last_seq, excluded.last_seq)";
inline constexpr const char* kUpdateIncident =
    "UPDATE incidents SET title=?, severity=?, status=?, ic=?, tech=?, ops=?, comms=?, channel=?, "
    "impact=?, root_cause=?, acknowledged_at=?, acknowledged_by=?, mitigated_at=?, "
    "resolved_at=?, updated_at=?, declined=?, version = version + 1 WHERE id=? AND version=?";
inline constexpr const char* kInsertTimeline =
    "INSERT INTO timeline (incident_id, at, type, actor, source, field, old_value, new_value, "
    "text, data) VALUES (?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kPromoteNextInQueue =
    "UPDATE outbox SET is_head = 1 WHERE id = (SELECT id FROM outbox WHERE channel_key = ? AND "
    "status = 'pending' ORDER BY id LIMIT 1) AND is_head = 0";
inline constexpr const char* kQueueHasPending =
    "SELECT 1 FROM outbox WHERE channel_key = ? AND status = 'pending' LIMIT 1";
inline constexpr const char* kInsertOutbox =
    "INSERT INTO outbox (incident_id, destination, channel_key, kind, payload, next_attempt_at, "
    "created_at, priority, is_head) VALUES (?,?,?,?,?,?,?,?,?)";
// Page-priority rows only (kPagePriority = 0, written out so the partial index applies).
inline constexpr const char* kPendingOfKind =
    "SELECT id, channel_key FROM outbox WHERE incident_id = ? AND kind = ? AND status = "
    "'pending' AND priority = 0";
inline constexpr const char* kWithdraw =
    "UPDATE outbox SET status = 'withdrawn', delivered_at = ?, last_error = ?, is_head = 0 WHERE "
    "id = ?";
inline constexpr const char* kBindChannel =
    "INSERT INTO incident_channels (channel_id, incident_id, platform, name, created_at) VALUES "
    "(?,?,?,?,?) ON CONFLICT (channel_id) DO NOTHING";
inline constexpr const char* kSetIncidentChannel =
    "UPDATE incidents SET channel = ?, version = version + 1 WHERE id = ? AND channel = ''";
inline constexpr const char* kInsertDedupe =
    "INSERT OR IGNORE INTO inbound_dedupe (source, key, received_at, reply) VALUES (?,?,?,?)";
inline constexpr const char* kFireTimer =
    "UPDATE timers SET state = 'fired', fired_at = ? WHERE id = ? AND state = 'pending'";
inline constexpr const char* kCancelTimer =
    "UPDATE timers SET state = 'cancelled', fired_at = ? WHERE id = ? AND state = 'pending'";
inline constexpr const char* kFailTimer =
    "UPDATE timers SET state = 'failed', fired_at = ? WHERE id = ? AND state = 'pending'";
inline constexpr const char* kInsertLink =
    "INSERT OR IGNORE INTO incident_links (source, external_id, incident_id, data, created_at) "
    "VALUES (?,?,?,?,?)";
inline constexpr const char* kRepointLink =
    "UPDATE incident_links SET incident_id = ?, data = ?, created_at = ? WHERE source = ? AND "
    "external_id = ? AND incident_id = ?";
inline constexpr const char* kUpsertLink =
    "INSERT INTO incident_links (source, external_id, incident_id, data, created_at) VALUES "
    "(?,?,?,?,?) ON CONFLICT (source, external_id) DO UPDATE SET incident_id = "
    "excluded.incident_id, data = excluded.data, created_at = excluded.created_at";
inline constexpr const char* kUpsertAlert =
    "INSERT INTO alerts (source, group_key, fingerprint, incident_id, status, summary, labels, "
    "first_seen, last_seen, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, CASE WHEN "
    "?5 = 'resolved' THEN ?8 END) ON CONFLICT (source, group_key, fingerprint) DO UPDATE SET "
    "incident_id = IFNULL(excluded.incident_id, alerts.incident_id), status = excluded.status, "
    "summary = excluded.summary, labels = excluded.labels, last_seen = excluded.last_seen, "
    "resolved_at = excluded.resolved_at";
inline constexpr const char* kScheduleTimer =
    "INSERT OR IGNORE INTO timers (incident_id, kind, key, due_at, payload, created_at) VALUES "
    "(?,?,?,?,?,?)";
inline constexpr const char* kInsertPage =
    "INSERT OR IGNORE INTO pages (incident_id, level, attempt, contact, dedup_key, methods, at) "
    "VALUES (?,?,?,?,?,?,?)";
inline constexpr const char* kInsertActionItem =
    "INSERT INTO action_items (incident_id, number, text, owner, due, created_at, created_by) "
    "VALUES (?,?,?,?,?,?,?)";
inline constexpr const char* kChangeActionItem =
    "UPDATE action_items SET status = ?, done_at = ? WHERE incident_id = ? AND number = ?";
inline constexpr const char* kKeepChannelSuffix =
    "INSERT INTO channel_names (platform, base, last_suffix) VALUES (?, ?, ?) ON CONFLICT "
    "(platform, base) DO UPDATE SET last_suffix = MAX(last_suffix, excluded.last_suffix)";
inline constexpr const char* kRememberMessage =
    "INSERT INTO chat_messages (incident_id, platform, purpose, channel, ts, created_at) VALUES "
    "(?,?,?,?,?,?) ON CONFLICT (incident_id, platform, purpose, channel) DO UPDATE SET ts = "
    "excluded.ts";
inline constexpr const char* kQueueOf = "SELECT channel_key FROM outbox WHERE id = ?";
inline constexpr const char* kMarkDelivered =
    "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, result = "
    "?, is_head = 0 WHERE id = ? AND status = 'pending'";
inline constexpr const char* kMarkRetry =
    "UPDATE outbox SET attempts = attempts + ?, next_attempt_at = ?, last_error = ? WHERE id = ? "
    "AND status = 'pending'";
inline constexpr const char* kMarkFailed =
    "UPDATE outbox SET status = 'failed', attempts = attempts + 1, delivered_at = ?, last_error = "
    "?, is_head = 0 WHERE id = ? AND status = 'pending'";
inline constexpr const char* kReadyProbe =
    "INSERT INTO meta (key, value) VALUES ('ready_probe', strftime('%s','now')) ON CONFLICT (key) "
    "DO UPDATE SET value = excluded.value";
inline constexpr const char* kPruneOutbox =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status <> 'pending' AND "
    "delivered_at < ? ORDER BY delivered_at LIMIT ?)";
inline constexpr const char* kPruneTimers =
    "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE state <> 'pending' AND fired_at "
    "< ? ORDER BY fired_at LIMIT ?)";
inline constexpr const char* kPruneDedupe =
    "DELETE FROM inbound_dedupe WHERE rowid IN (SELECT rowid FROM inbound_dedupe WHERE "
    "received_at < ? ORDER BY received_at LIMIT ?)";

// The statements that must not grow with history (all of them but the start-up count and the
// CLI's full listing, which pages through an index anyway).
inline std::vector<std::pair<std::string, const char*>> hot_queries() {
    return {{"load incident", kLoadIncident},
            {"pending timers of an incident", kPendingTimersOfIncident},
            {"pages of an incident", kPagesOfIncident},
            {"action item count", kActionItemCount},
            {"incident for a channel", kIncidentForChannel},
            {"open incidents", kListOpen},
            {"all incidents", kListAll},
            {"a page of incidents", kListPage},
            {"a page of open incidents", kListPageOpen},
            {"pages between", kPagesBetween},
            {"overdue action items", kOpenActionItems},
            {"timeline", kTimeline},
            {"action items", kActionItems},
            {"notes since the last update", kNotesSinceLastUpdate},
            {"dedupe answer", kAnswerFor},
            {"dedupe seen", kSeen},
            {"posted by muster", kPostedByMuster},
            {"channel of an incident", kChannelOf},
            {"remembered messages", kMessages},
            {"last channel suffix", kLastChannelSuffix},
            {"last incident seq", kLastIncidentSeq},
            {"link", kLink},
            {"links of an incident", kLinksOfIncident},
            {"alerts of a group", kAlertsOfGroup},
            {"firing alerts of an incident", kFiringAlertsOfIncident},
            {"unbound timers", kUnboundTimers},
            {"due outbox heads", kOutboxDue},
            {"next due outbox head", kOutboxNextDue},
            {"followers in a queue", kOutboxFollowers},
            {"due timers", kTimersDue},
            {"next due timer", kTimersNextDue},
            {"update incident", kUpdateIncident},
            {"promote next in queue", kPromoteNextInQueue},
            {"queue has pending", kQueueHasPending},
            {"pending of kind", kPendingOfKind},
            {"withdraw", kWithdraw},
            {"set incident channel", kSetIncidentChannel},
            {"fire timer", kFireTimer},
            {"cancel timer", kCancelTimer},
            {"queue of a row", kQueueOf},
            {"mark delivered", kMarkDelivered},
            {"mark retry", kMarkRetry},
            {"prune outbox", kPruneOutbox},
            {"prune timers", kPruneTimers},
            {"prune dedupe", kPruneDedupe}};
}

}  // namespace muster::sql
