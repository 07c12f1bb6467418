#include "bot/domain/incident_state.h"

#include <algorithm>

namespace muster {

int IncidentState::highest_paged_level() const {
    int level = 0;
    for (const auto& p : pages) level = std::max(level, p.level);
    return level;
}

int IncidentState::next_hand_attempt(int level, const std::string& contact) const {
    int next = kFirstHandAttempt;
    for (const auto& p : pages)
        if (p.level == level && p.attempt >= kFirstHandAttempt &&
            (contact.empty() || p.contact == contact))
            next = std::max(next, p.attempt + 1);
    return next;
}

std::vector<const Timer*> IncidentState::pending(const std::string& kind) const {
    std::vector<const Timer*> out;
    for (const auto& t : pending_timers)
        if (kind.empty() || t.kind == kind) out.push_back(&t);
    return out;
}

}  // namespace muster
