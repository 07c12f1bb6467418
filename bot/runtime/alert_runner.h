// Where the alert adapters (PagerDuty, Alertmanager, Grafana, heartbeats) hand over what they
// received, as the intake does for commands: it reads what the alert intake service needs (off
// the writer), lets it decide, plans the notifications, applies the Effects in one transaction
// and reports once that is durable. Deliveries that race for the same group or incident are
// decided again on fresh reads; a retried delivery (its dedupe keys seen) changes nothing; a
// full write queue or a write that cannot begin before the deadline is `busy` (the adapter
// answers 503: every alert source retries 5xx, and PagerDuty disables a subscription that keeps
// getting 4xx).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/alert.h"
#include "bot/domain/clock.h"
#include "bot/runtime/dispatch.h"
#include "bot/service/alert_intake.h"
#include "bot/service/ports.h"

namespace muster {

enum class AlertOutcome {
    recorded,   // durable (including "nothing to change")
    duplicate,  // a retry of a delivery already recorded
    busy,       // not recorded: try again (503)
    failed,     // not recorded: storage trouble (503 as well; the source retries)
};

class AlertRunner {
  public:
    AlertRunner(AlertIntake& intake, IncidentReads& reads, AlertReads& alerts, Committer& committer,
                const Dispatch& dispatch, const Clock& clock, EpochMs deadline_ms = 2500);

    // `done` runs exactly once, on this thread or the writer's. `keys` identify the delivery.
    void group(const AlertGroup& g, std::vector<DedupeKey> keys,
               std::function<void(AlertOutcome)> done);
    // An action on the incident linked to (a.source, a.external_id); with no such incident only
    // the delivery's keys are recorded.
    void action(const SourceAction& a, std::vector<DedupeKey> keys,
                std::function<void(AlertOutcome)> done);
    // A source's own incident that stands for one of ours (PagerDuty opened one for Muster's
    // page): linked to `incident_id`, so its acknowledgement reaches ours.
    void link_own(const SourceAction& a, const std::string& incident_id,
                  std::vector<DedupeKey> keys, std::function<void(AlertOutcome)> done);
    // Only the delivery's keys (an event type Muster does not act on).
    void record(std::vector<DedupeKey> keys, std::function<void(AlertOutcome)> done);
    void beat(const Config::Heartbeat& h, std::function<void(AlertOutcome)> done);
    // For the timer loop: what a due timer that belongs to no incident (a heartbeat's deadline)
    // does. Always consumes the timer.
    Effects deadline(const Timer& t, const Config& config, EpochMs now);
    // Whether every key of a delivery was recorded already (a retry, answered at once).
    bool seen(const std::vector<DedupeKey>& keys);

  private:
    using Decide = std::function<Decision()>;
    void run(Decide decide, std::vector<DedupeKey> keys, std::function<void(AlertOutcome)> done,
             int tries_left);
    // Deliveries for the same group (or linked incident) run one after another: the next starts
    // when the one before is durable, instead of racing it and deciding again and again.
    void one_at_a_time(const std::string& key, std::function<void(std::function<void()>)> task);
    GroupState read_group(const AlertGroup& g);
    HeartbeatState read_heartbeat(const std::string& name);

    AlertIntake& intake_;
    IncidentReads& reads_;
    AlertReads& alerts_;
    Committer& committer_;
    const Dispatch& dispatch_;
    const Clock& clock_;
    EpochMs deadline_ms_;
    std::mutex queue_mu_;
    std::map<std::string, std::deque<std::function<void()>>> queued_;  // key → waiting tasks
};

}  // namespace muster
