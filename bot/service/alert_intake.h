// The alert intake service (issue 9): what alert groups (Alertmanager, Grafana, a PagerDuty
// incident), actions of a linked source (PagerDuty acknowledged, resolved, added a note) and
// heartbeats do to incidents. Like the incident service it decides on plain values it is given
// (the group's link, its stored alerts, the linked incident) and returns a Decision; the runtime
// reads, applies and decides again when a concurrent delivery got there first.
//
// The rules:
// - An alert is its fingerprint. Its state is what the latest delivery said; a delivery's
//   top-level status is never trusted alone (a group mixing firing and resolved alerts stays
//   open, and the timeline says which alert resolved).
// - One incident per group while it fires. A group with no open incident whose firing alerts
//   map to a severity (the source's auto_declare; the most severe wins) declares one, linked to
//   the group; below the threshold its alerts are only recorded. A group whose configured
//   correlation label values (correlation.labels) match an open incident joins that one instead,
//   and its timeline says why.
// - The incident resolves when every alert of every group linked to it has resolved
//   (on_resolved: resolve), or only says so (annotate).
// - A delivery is at most one chat message (AlertsChanged) whatever the number of alerts; the
//   timeline gets each change, up to kTimelinePerDelivery, then one line for the rest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/alert.h"
#include "bot/domain/incident_state.h"
#include "bot/service/incident_service.h"

namespace muster {

// What the runtime read for a group before deciding.
struct GroupState {
    std::optional<IncidentLink> link;         // the group's link (its incident may be resolved)
    std::optional<IncidentState> incident;    // the incident the link points to
    std::vector<StoredAlert> alerts;          // the group's alerts as stored
    int firing_elsewhere = 0;                 // that incident's firing alerts in other groups
    std::optional<IncidentState> correlated;  // an open incident sharing a correlation value
    std::string correlated_by;                // the value shared: "service=checkout"
};

// What the runtime read for a heartbeat.
struct HeartbeatState {
    std::vector<Timer> pending;             // its deadline(s)
    std::optional<IncidentLink> link;       // the incident it opened last
    std::optional<IncidentState> incident;  // that incident
};

constexpr int kTimelinePerDelivery = 50;

class AlertIntake {
  public:
    AlertIntake(const Config& config, IncidentService& incidents);

    // The correlation keys of a group ("service=checkout"), one per configured label that a
    // firing alert of the group carries; what an incident declared from it is linked by.
    std::vector<std::string> correlation_keys(const AlertGroup& g) const;
    // The severity a group's firing alerts map to ("" = below every threshold: only recorded).
    std::string severity_for(const AlertGroup& g) const;

    Decision on_group(const AlertGroup& g, const GroupState& st, EpochMs now);
    Decision on_action(const SourceAction& a, const IncidentState& s, EpochMs now) const;
    // (a.source, a.external_id) stands for incident `s` from now on; a.text says so on its
    // timeline.
    Decision link_source(const SourceAction& a, const IncidentState& s, EpochMs now) const;
    Decision beat(const Config::Heartbeat& h, const HeartbeatState& st, EpochMs now) const;
    Decision missed(const Config::Heartbeat& h, const Timer& deadline, const HeartbeatState& st,
                    EpochMs now);

  private:
    const std::map<std::string, std::string>* auto_declare(const std::string& source) const;
    bool resolves(const std::string& source) const;

    const Config& config_;
    IncidentService& incidents_;
};

}  // namespace muster
