// What happened to an incident, in order: the timeline that becomes the post-incident review,
// and the review's action items. Plain values; storage keeps them, the service makes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bot/domain/clock.h"

namespace muster {

struct TimelineEvent {
    std::int64_t id = 0;  // assigned by storage
    std::string incident_id;
    EpochMs at = 0;
    std::string type;    // declared, status_changed, acknowledged, severity_changed, ...
    std::string actor;   // who did it (chat user id, "muster", a contact key)
    std::string source;  // slack | teams | pagerduty | alertmanager | cli | system
    std::optional<std::string> field, old_value, new_value;
    std::string text;
    std::optional<std::string> data;  // JSON for anything else
};

struct ActionItem {
    std::int64_t id = 0;  // assigned by storage
    std::string incident_id;
    int number = 0;  // 1, 2, … within its incident: what people call it ("action item 3")
    std::string text, owner;
    std::optional<std::string> due;  // YYYY-MM-DD
    EpochMs created_at = 0;
    std::string created_by;
    std::string status = "open";  // open | done
    std::optional<EpochMs> done_at;
};
// An action item marked done (or open again).
struct ActionItemChange {
    std::string incident_id;
    int number = 0;
    std::string status;  // open | done
    EpochMs at = 0;
};

}  // namespace muster
