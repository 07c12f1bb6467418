// Timers are rows (DESIGN §4): escalation pages and reminders with a due time. Scheduling,
// cancelling and firing happen inside the transaction of the change that caused them, so an
// acknowledgement and the cancellation of every later page commit together.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

#include "bot/clock.h"

namespace muster {

struct Timer {
    std::int64_t id = 0;
    std::string incident_id;
    std::string kind;  // page | status_reminder | ic_nudge | pir_reminder
    std::string key;   // unique per incident and kind, e.g. "L2.1"
    EpochMs due_at = 0;
    std::string payload = "{}";
    std::string state = "pending";  // pending | fired | cancelled
};

// Inserts unless (incident, kind, key) exists already; true if it was inserted.
bool schedule_timer(SQLite::Database& db, const Timer& t, EpochMs now);
// Cancels pending timers of an incident; kind "" = every kind. Returns how many.
int cancel_timers(SQLite::Database& db, const std::string& incident_id, const std::string& kind,
                  const std::string& except_kind = "");
std::optional<EpochMs> next_timer_due(SQLite::Database& db);
std::vector<Timer> due_timers(SQLite::Database& db, EpochMs now, int limit);
std::vector<Timer> pending_timers(SQLite::Database& db, const std::string& incident_id);
// False when the timer is no longer pending (cancelled by an earlier timer of the same batch):
// then it must not fire.
bool mark_timer_fired(SQLite::Database& db, std::int64_t id, EpochMs now);

}  // namespace muster
