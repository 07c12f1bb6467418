// The escalation engine as decisions (DESIGN §4): what to page and remind, when. Declaring plans
// the severity's levels (a level due at once is paged in the declaration itself); a due page
// timer pages its level's contacts and, until someone acknowledges, pages that level again every
// ack_within, up to repeat_limit times; acknowledging cancels every pending page; resolving
// cancels everything; a severity change re-plans from now while the level being chased keeps
// being re-paged. Every function adds to an Effects value and does no I/O: tests drive whole
// escalations on plain values.
#pragma once

#include <optional>
#include <string>

#include "bot/config/config.h"
#include "bot/domain/actor.h"
#include "bot/domain/effects.h"
#include "bot/domain/incident_state.h"
#include "bot/service/platforms.h"

namespace muster {

// The PagerDuty dedup_key of planned pages to a contact: one alert per (incident, contact).
std::string page_dedup_key(const std::string& incident_id, const std::string& contact);

class Escalation {
  public:
    Escalation(const Config& config, const Platforms& platforms);

    void on_declared(const IncidentState& s, EpochMs now, Effects& fx) const;
    void on_acknowledged(const IncidentState& s, const Actor& actor, EpochMs now,
                         Effects& fx) const;
    void on_resolved(const IncidentState& s, const Actor& actor, EpochMs now, Effects& fx) const;
    void on_reopened(const IncidentState& s, EpochMs now, Effects& fx) const;
    void on_severity_changed(const IncidentState& s, EpochMs now, Effects& fx) const;
    void on_status_update(const IncidentState& s, EpochMs now, Effects& fx) const;
    void on_ic_assigned(const IncidentState& s, Effects& fx) const;

    // /incident page <level|contact|@user>: pages now; the reply text, or nullopt + error.
    // `target` is a level ("2", "L2", "level2", any case) or a contact key (any case); `user` a
    // chat user id from a mention. Anything else is refused with the targets there are.
    std::optional<std::string> page_now(const IncidentState& s, const std::string& target,
                                        const std::string& user, const Actor& actor, EpochMs now,
                                        Effects& fx, std::string& error) const;

    // A due timer: what it does (fx.fire is set by the caller).
    void fire(const IncidentState& s, const Timer& timer, EpochMs now, Effects& fx) const;

    // "2", "L2", "l2", "level2", "Level2" → 2; nullopt when it is not a level.
    static std::optional<int> parse_level_target(const std::string& target);

  private:
    // The incident's escalation policy; none when its source pages for it (an incident
    // PagerDuty opened, with pagerduty.paging: pagerduty).
    const std::vector<EscalationLevel>* policy(const Incident& inc) const;
    const Contact* find_contact(const std::string& key) const;  // exact, then any case
    std::string page_targets(const Incident& inc) const;
    void cancel(const IncidentState& s, const std::string& kind, Effects& fx) const;
    void withdraw_queued_pages(const Incident& inc, const Actor& actor, EpochMs now,
                               const std::string& why, Effects& fx) const;
    void page_level(const Incident& inc, int level, int attempt, const std::string& by, EpochMs now,
                    Effects& fx) const;
    void page_contact(const Incident& inc, const Contact& c, int level, int attempt,
                      const std::string& by, EpochMs now, Effects& fx) const;
    void follow_pages(const IncidentState& s, const std::string& action, Effects& fx) const;
    void schedule_status_reminder(const IncidentState& s, EpochMs now, Effects& fx) const;
    void schedule_repeat(const Incident& inc, int level, int attempt, EpochMs planned_at,
                         EpochMs now, Effects& fx) const;

    const Config& config_;
    const Platforms& platforms_;
};

}  // namespace muster
