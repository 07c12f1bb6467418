// Alerts from monitoring and paging systems (PagerDuty, Prometheus Alertmanager, Grafana,
// heartbeats) in neutral terms: each inbound adapter turns its payload into these, and the alert
// intake service (bot/service/alert_intake.h) decides what they do to incidents. An alert is
// identified by its source's own id for it (Alertmanager's fingerprint), never by its text: two
// alerts with the same summary and different labels are two alerts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/clock.h"

namespace muster {

using Labels = std::map<std::string, std::string>;

struct AlertEvent {
    std::string fingerprint;  // identity within its group (never derived from the summary)
    bool firing = true;       // false: resolved
    std::string summary;      // what people read: annotation `summary`, else `alertname`
    std::string severity;     // the source's own word (label `severity`, PagerDuty urgency)
    Labels labels;
    std::string url;  // where to look: generatorURL, PagerDuty's html_url
};

// One delivery: the current state of some alerts of one group (an Alertmanager group, a
// Grafana rule group, a PagerDuty incident, a heartbeat). Alerts not mentioned keep their state.
struct AlertGroup {
    std::string source;     // alertmanager | grafana | pagerduty | heartbeat
    std::string group_key;  // the group's identity at its source
    std::string title;      // for a new incident: the group's summary
    std::vector<AlertEvent> alerts;
    int truncated = 0;  // alerts the source left out of this delivery (Alertmanager's count)
    std::string link;   // "PagerDuty #2 https://…": shown with the declaration
    // Severity decided by the adapter (a PagerDuty priority naming one of ours); empty: the
    // service maps each alert's `severity` through the source's auto_declare.
    std::string severity;
    bool escalate = true;  // false: the source pages already (pagerduty.paging: pagerduty)
    EpochMs at = 0;
};

// An alert as stored: its last known state, and the incident it belongs to ("" = only recorded).
struct StoredAlert {
    std::string fingerprint, status, summary, incident_id;
    Labels labels;
    EpochMs first_seen = 0, last_seen = 0;
};

// Something a linked source did to its incident: PagerDuty acknowledged it, reassigned it, added
// a note. Applied to the incident linked to (source, external_id).
struct SourceAction {
    std::string source, external_id;
    // acknowledge | unacknowledge | resolve | reopen | severity | note | event
    std::string kind;
    std::string actor;     // who, in the source's words ("Tenex Engineer")
    std::string text;      // for the timeline
    std::string severity;  // kind == severity: one of ours
    EpochMs at = 0;
};

}  // namespace muster
