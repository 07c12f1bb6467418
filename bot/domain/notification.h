// What should be told to whom after a change, as neutral intents. The service only says *what*
// happened; each chat platform (console, Slack, Teams) and each paging method (PagerDuty, Slack
// DM, console) registered at start-up turns an intent into its own queued operations, and renders
// them when it delivers them (DESIGN "events in, effects out").
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/actor.h"
#include "bot/domain/incident.h"

namespace muster {

// An incident was declared: open its channel, post the declaration, announce it.
struct Declared {
    Incident incident;
    Actor actor;
    std::string link = {};  // where it came from, shown with the declaration (PagerDuty #2 …)
};
// Its status, severity, roles or acknowledgement changed: a status update, headlines follow.
struct StatusUpdated {
    Incident incident;
    std::string change;           // "Status Investigating → Identified", "Acknowledged by @U1"
    std::string text;             // what the responder wrote (may carry "ETA: …")
    std::string current_actions;  // notes since the previous update, one per line
};
struct Resolved {
    Incident incident;
    std::string text, actor;
    std::optional<EpochMs> review_due;
};
// A reminder in the incident's channel (status update due, no IC, review due).
struct Reminder {
    Incident incident;
    std::string title, text;
};
// Someone given a role joins the incident's channel.
struct Invited {
    Incident incident;
    std::string user;
};
// Page one contact (each paging method that reaches the contact sends it).
struct PageContact {
    Incident incident;
    Contact contact;
    int level = 0, attempt = 0;
    std::string dedup_key;
    std::string reason;  // "level 2, reminder 1", "paged by hand"
};
// Tell the paging methods that the pages they sent are acknowledged / resolved.
struct PageFollowUp {
    std::string incident_id;
    Contact contact;
    std::string dedup_key;
    std::string action;  // acknowledge | resolve
};
// A later word to the person who asked (their reply channel), e.g. why a button changed nothing.
struct Answer {
    std::string incident_id;
    std::string platform;
    std::string address;  // Slack: the response_url
    std::string text;
    bool in_channel = false;
};
// A message was marked for the timeline by a platform event that did not carry its text.
struct FetchMarkedMessage {
    std::string incident_id;
    std::string platform;
    std::string channel, ts, actor;
    EpochMs at = 0;
};

// Alerts of an incident changed (fired, fired again, resolved): one message per delivery however
// many alerts it carried, so a storm of alerts is a handful of messages.
struct AlertsChanged {
    Incident incident;
    std::string source;              // alertmanager | grafana | pagerduty | heartbeat
    int firing = 0, resolved = 0;    // the incident's alerts now in each state
    std::vector<std::string> lines;  // the changes, at most kAlertLines
    int more = 0;                    // changes beyond those lines
};
constexpr int kAlertLines = 10;
// The incident was acknowledged or resolved here: a source it is linked to (the PagerDuty
// incident it came from) is told, unless the change came from that source (no echo).
struct SourceSync {
    std::string incident_id;
    std::string action;  // acknowledge | resolve
    std::string source;  // where the change came from
};

using Notification =
    std::variant<Declared, StatusUpdated, Resolved, Reminder, Invited, PageContact, PageFollowUp,
                 Answer, FetchMarkedMessage, AlertsChanged, SourceSync>;

}  // namespace muster
