// The escalation planner (seed 003's matrix as configured): a pure function from a severity's
// policy, an incident and a time to the page timers that will chase it. No I/O, no clock.
#pragma once

#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/incident.h"
#include "bot/domain/timer.h"

namespace muster {

// One timer per level above `after_level`, due at `from` + the level's `after`. A re-plan
// (severity change) gets fresh keys, so it never collides with the plan it replaces.
std::vector<Timer> plan_escalation(const std::vector<EscalationLevel>& policy,
                                   const Incident& incident, EpochMs from, int after_level);

// A page timer's key: "L<level>.<attempt>@<plan time>".
std::string page_timer_key(int level, int attempt, EpochMs planned_at);
Timer page_timer(const std::string& incident_id, int level, int attempt, EpochMs planned_at,
                 EpochMs due_at);

}  // namespace muster
