// Timers are rows (DESIGN §4): a page, a reminder, a review due, with the time it falls due. The
// escalation planner decides them; storage keeps them; the timer loop fires what is due.
#pragma once

#include <cstdint>
#include <string>

#include "bot/domain/clock.h"

namespace muster {

struct Timer {
    std::int64_t id = 0;  // assigned by storage
    std::string incident_id;
    std::string kind;  // page | status_reminder | ic_nudge | pir_reminder
    std::string key;   // unique per incident and kind, e.g. "L2.1@<plan time>"
    EpochMs due_at = 0;
    std::string payload = "{}";     // JSON: {"level":2,"attempt":1} for a page
    std::string state = "pending";  // pending | fired | cancelled | failed
    int level = 0, attempt = 0;     // a page's, read from the payload
};

}  // namespace muster
