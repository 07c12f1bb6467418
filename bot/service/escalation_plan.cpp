#include "bot/service/escalation_plan.h"

#include <nlohmann/json.hpp>

namespace muster {

std::string page_timer_key(int level, int attempt, EpochMs planned_at) {
    return "L" + std::to_string(level) + "." + std::to_string(attempt) + "@" +
           std::to_string(planned_at);
}

Timer page_timer(const std::string& incident_id, int level, int attempt, EpochMs planned_at,
                 EpochMs due_at) {
    Timer t;
    t.incident_id = incident_id;
    t.kind = "page";
    t.key = page_timer_key(level, attempt, planned_at);
    t.due_at = due_at;
    t.level = level;
    t.attempt = attempt;
    t.payload = nlohmann::json({{"level", level}, {"attempt", attempt}}).dump();
    return t;
}

std::vector<Timer> plan_escalation(const std::vector<EscalationLevel>& policy,
                                   const Incident& incident, EpochMs from, int after_level) {
    std::vector<Timer> out;
    for (std::size_t i = 0; i < policy.size(); ++i) {
        const int level = static_cast<int>(i) + 1;
        if (level <= after_level) continue;
        out.push_back(page_timer(incident.id, level, 1, from, from + policy[i].after_ms));
    }
    return out;
}

}  // namespace muster
