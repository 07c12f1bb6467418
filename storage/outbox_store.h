// The durable outbox: every message or page Muster will send is a row written in the same
// transaction as the change that caused it. Delivery is at-least-once and in order per
// channel_key: only the oldest pending row of a channel is ever handed out.
#pragma once

#include <SQLiteCpp/Database.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/clock.h"

namespace muster {

struct OutboxItem {
    std::int64_t id = 0;
    std::string incident_id;
    std::string destination;  // console | slack | teams | pagerduty
    std::string channel_key;  // ordering key, e.g. "slack:C0123"
    std::string kind;         // declaration | status_update | resolution | ...
    std::string payload;      // JSON
    int attempts = 0;
    EpochMs next_attempt_at = 0;
    EpochMs created_at = 0;
    std::string status = "pending";  // pending | delivered | failed | withdrawn
    std::optional<EpochMs> delivered_at;
    std::optional<std::string> last_error;
};

std::int64_t enqueue_outbox(SQLite::Database& db, const OutboxItem& item);
// The usual row: due now, behind every earlier row of the same channel_key.
std::int64_t enqueue_outbox(SQLite::Database& db, const std::string& incident_id,
                            const std::string& destination, const std::string& channel_key,
                            const std::string& kind, const std::string& payload, EpochMs now);
// The head of each channel's queue that is due at `now`, oldest first; only rows for
// `destination` when one is given (channel keys never span destinations).
std::vector<OutboxItem> due_outbox(SQLite::Database& db, EpochMs now, int limit,
                                   const std::string& destination = "");
// The earliest next_attempt_at among channel heads, to know how long to sleep.
std::optional<EpochMs> next_outbox_due(SQLite::Database& db, const std::string& destination = "");
void mark_outbox_delivered(SQLite::Database& db, std::int64_t id, EpochMs now,
                           const std::string& result);
// count_attempt = false: held back by our own rate limit, not a failed try (no backoff growth).
void mark_outbox_retry(SQLite::Database& db, std::int64_t id, EpochMs next_at,
                       const std::string& error, bool count_attempt = true);
void mark_outbox_failed(SQLite::Database& db, std::int64_t id, EpochMs now,
                        const std::string& error);
std::vector<OutboxItem> load_outbox(SQLite::Database& db, const std::string& incident_id);
// How many rows wait to go out, per destination.
std::map<std::string, int> pending_outbox_by_destination(SQLite::Database& db);
// Rows of `kind` for the incident still waiting to go out (an outage, a rate limit) that would
// now be wrong to send, e.g. pages once someone acknowledged: marked withdrawn, never sent. A row
// the worker is sending at this moment still records its real outcome. Returns how many.
int withdraw_outbox(SQLite::Database& db, const std::string& incident_id, const std::string& kind,
                    EpochMs now, const std::string& why);

}  // namespace muster
