// The escalation engine: what to page and remind, when, as timer rows (DESIGN §4). Declaring
// plans the severity's levels; a due page timer pages its level's contacts (PagerDuty Events v2,
// Slack DM, console) and, until someone acknowledges, pages that level again every ack_within,
// up to repeat_limit times; acknowledging cancels every pending page in the same transaction;
// resolving cancels everything; a severity change re-plans from now. Everything runs inside the
// caller's transaction and takes the time as an argument: tests drive it with a fake clock.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>

#include "bot/actor.h"
#include "bot/config.h"
#include "bot/incident.h"
#include "bot/incident_messages.h"
#include "storage/timer_store.h"

namespace muster {

class Escalation {
  public:
    Escalation(const Config& config, const IncidentMessages& messages);

    void on_declared(SQLite::Database& db, const Incident& inc, EpochMs now) const;
    void on_acknowledged(SQLite::Database& db, const Incident& inc, const Actor& actor,
                         EpochMs now) const;
    void on_resolved(SQLite::Database& db, const Incident& inc, const Actor& actor,
                     EpochMs now) const;
    void on_reopened(SQLite::Database& db, const Incident& inc, EpochMs now) const;
    void on_severity_changed(SQLite::Database& db, const Incident& inc, EpochMs now) const;
    void on_status_update(SQLite::Database& db, const Incident& inc, EpochMs now) const;
    void on_ic_assigned(SQLite::Database& db, const Incident& inc, EpochMs now) const;

    // /incident page <level|contact|@user>: pages now; the reply text, or nullopt + error.
    // `target` is a level ("2", "L2", "level2", any case) or a contact key (any case); `user` a
    // chat user id from a mention. Anything else is refused with the targets there are.
    std::optional<std::string> page_now(SQLite::Database& db, const Incident& inc,
                                        const std::string& target, const std::string& user,
                                        const Actor& actor, EpochMs now, std::string& error) const;

    // A due timer: performs it (inside the caller's transaction, which also marks it fired).
    void fire(SQLite::Database& db, const Timer& timer, EpochMs now) const;

    // "2", "L2", "l2", "level2", "Level2" → 2; nullopt when it is not a level.
    static std::optional<int> parse_level_target(const std::string& target);

  private:
    const std::vector<EscalationLevel>* policy(const std::string& severity) const;
    const Contact* find_contact(const std::string& key) const;  // exact, then any case
    std::string page_targets(const Incident& inc) const;
    void withdraw_queued_pages(SQLite::Database& db, const Incident& inc, const Actor& actor,
                               EpochMs now, const std::string& why) const;
    int next_hand_attempt(SQLite::Database& db, const Incident& inc, int level,
                          const std::string& contact) const;
    void plan_levels(SQLite::Database& db, const Incident& inc, EpochMs from,
                     int after_level) const;
    void page_level(SQLite::Database& db, const Incident& inc, int level, int attempt,
                    EpochMs now) const;
    void page_contact(SQLite::Database& db, const Incident& inc, const Contact& c, int level,
                      int attempt, const std::string& by, EpochMs now) const;
    void follow_pagerduty(SQLite::Database& db, const Incident& inc, const std::string& action,
                          EpochMs now) const;
    void schedule_status_reminder(SQLite::Database& db, const Incident& inc, EpochMs now) const;

    const Config& config_;
    const IncidentMessages& messages_;
};

}  // namespace muster
