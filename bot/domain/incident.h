// The incident domain: statuses and their transitions, roles, priority from impact × urgency.
// Pure code: no I/O, no clock of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "bot/config/config.h"
#include "bot/domain/clock.h"

namespace muster {

enum class Status { investigating, identified, monitoring, resolved };
std::optional<Status> parse_status(const std::string& s);
const char* status_name(Status s);   // "investigating"
const char* status_label(Status s);  // "Investigating"

enum class Role { ic, tech, ops, comms };
std::optional<Role> parse_role(const std::string& s);
const char* role_name(Role r);   // "ic"
const char* role_label(Role r);  // "Incident Commander"

struct Incident {
    std::string id;  // INC-YYYYMMDD-###
    std::string title;
    std::string severity;
    Status status = Status::investigating;
    std::string ic, tech, ops, comms;  // chat user ids
    std::string reporter;
    std::string source;  // slack | teams | pagerduty | alertmanager | cli
    std::string origin_channel;
    std::string channel;  // the incident's own channel, once it exists
    std::string impact, root_cause;
    std::string impact_level, urgency_level;  // when declared by impact × urgency
    EpochMs declared_at = 0;
    std::optional<EpochMs> acknowledged_at, mitigated_at, resolved_at;
    std::string acknowledged_by;
    EpochMs updated_at = 0;
    // Bumped by storage with every change to the record; a change decided on an older version
    // is refused (optimistic concurrency: reads happen off the writer).
    std::int64_t version = 0;
    // A practice run (declared with --drill): handled like any incident, left out of reports.
    bool drill = false;
    // Not an incident after all (`/incident decline`): resolved, no review, left out of reports.
    bool declined = false;
    // Where an alert source's incident came from (the PagerDuty incident's page), shown with
    // every message that shows the declaration, first post or refresh. Set at declaration.
    std::string source_link;

    std::string& role_holder(Role r);
    const std::string& role_holder(Role r) const;
};
// Every field equal (a new field must be added here: tests/domain/incident_test checks each).
bool operator==(const Incident& a, const Incident& b);
inline bool operator!=(const Incident& a, const Incident& b) {
    return !(a == b);
}

// A transition the status machine refused, in words a responder can act on.
struct TransitionRefused {
    std::string message;
};

// Investigating, Identified and Monitoring may move to any other open status (a fix that did not
// hold sends Monitoring back to Investigating) or to Resolved; a resolved incident only reopens.
// Staying in the same open status is an update, not an error.
std::optional<TransitionRefused> check_transition(const Incident& inc, Status to);
std::optional<TransitionRefused> check_reopen(const Incident& inc);
// Applies a status change and the timestamps it implies (mitigated on first Monitoring,
// resolved on Resolved).
void apply_status(Incident& inc, Status to, EpochMs now);
void apply_reopen(Incident& inc, EpochMs now);

// Seed 003: priority = matrix[impact][urgency], as configured.
std::optional<std::string> priority_for(const Config& cfg, Level impact, Level urgency);

}  // namespace muster
