// An incident as the service decides on it: the record (with the version it was read at), its
// pending timers and the pages sent so far. Read in one go by the storage port; a change decided
// on it commits only if the incident's version is still the same (optimistic concurrency).
#pragma once

#include <string>
#include <vector>

#include "bot/domain/incident.h"
#include "bot/domain/timer.h"

namespace muster {

// One page to one contact: what acknowledge/resolve later follow (PagerDuty dedup_key).
struct PageSent {
    std::string incident_id;
    int level = 0;    // 0: paged by hand without a level
    int attempt = 0;  // 1 = first page of the level, 2… = repeats, 1001… = by hand
    std::string contact, dedup_key;
    std::string methods;  // "pagerduty slack console": how it went out
    EpochMs at = 0;
};

struct IncidentState {
    Incident incident;
    std::vector<Timer> pending_timers;
    std::vector<PageSent> pages;
    int action_items = 0;  // how many the incident has
    bool has_review_item = false;

    int highest_paged_level() const;
    // Pages by hand number their attempts from kFirstHandAttempt per (level, contact), apart
    // from planned attempts and from each other.
    int next_hand_attempt(int level, const std::string& contact) const;
    std::vector<const Timer*> pending(const std::string& kind) const;  // "" = every kind
};

constexpr int kFirstHandAttempt = 1001;

}  // namespace muster
