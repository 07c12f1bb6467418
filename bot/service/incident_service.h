// The incident service: every change to an incident as a typed operation on neutral inputs (who,
// what, from which source) that returns a Decision — the Effects to apply, or why nothing changes.
// It reads nothing itself: the caller passes the incident's state as read; it writes nothing: the
// caller applies the Effects (one transaction) if the incident is still at that version. Pure
// apart from two ports — Sequences (new ids) and Platforms (who a page reaches, which channels
// open at once) — so decisions are unit-tested with plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/actor.h"
#include "bot/domain/effects.h"
#include "bot/domain/incident_state.h"
#include "bot/service/escalation.h"
#include "bot/service/platforms.h"
#include "bot/service/ports.h"

namespace muster {

struct Decision {
    Effects effects;
    std::optional<std::string> refused;  // why nothing changes, for the person who asked
    std::string detail;                  // what was done, when the answer needs it (a page)
    bool ok() const { return !refused; }
};

// A declaration, from a person or (later) an alert source.
struct Declaration {
    std::string severity;                  // a configured key; or, when empty,
    std::optional<Level> impact, urgency;  // seed 003's matrix picks it
    std::string title;
    std::string link = {};  // where an alert source's incident came from (shown, kept in data)
    bool drill = false;     // a practice run: an incident like any other, left out of reports
};

// A message someone marked for the timeline (a Slack pin or 📌, later a Teams equivalent).
struct MarkedMessage {
    std::string platform, channel, ts;    // the message
    std::string event_id;                 // the platform's id for this delivery
    std::string marked_by, author, text;  // text empty: the platform must fetch it
    bool via_reaction = false;
    EpochMs at = 0;  // the message's own time
};

class IncidentService {
  public:
    IncidentService(const Config& config, Platforms& platforms, Sequences& sequences);

    Decision declare(const Declaration& d, const Actor& actor, EpochMs now);
    Decision update(const IncidentState& s, const Actor& actor, Status to, const std::string& text,
                    const std::vector<std::string>& notes_since_last_update, EpochMs now) const;
    Decision acknowledge(const IncidentState& s, const Actor& actor, EpochMs now) const;
    // declined: not an incident after all (`/incident decline`): resolved without a review and
    // left out of reports.
    Decision resolve(const IncidentState& s, const Actor& actor, const std::string& text,
                     EpochMs now, bool declined = false) const;
    Decision reopen(const IncidentState& s, const Actor& actor, const std::string& text,
                    EpochMs now) const;
    Decision change_severity(const IncidentState& s, const Actor& actor,
                             const std::string& severity, EpochMs now) const;
    // user: a chat user id, "@name", or "me" (the actor).
    Decision assign_role(const IncidentState& s, const Actor& actor, Role role,
                         const std::string& user, EpochMs now) const;
    Decision add_note(const IncidentState& s, const Actor& actor, const std::string& text,
                      EpochMs now) const;
    Decision add_action_item(const IncidentState& s, const Actor& actor, const std::string& text,
                             const std::string& owner, const std::optional<std::string>& due,
                             EpochMs now) const;
    // Marks an action item done (or open again, done = false); `item` as read.
    Decision close_action_item(const IncidentState& s, const Actor& actor, const ActionItem& item,
                               bool done, EpochMs now) const;
    Decision set_impact(const IncidentState& s, const Actor& actor, const std::string& text,
                        EpochMs now) const;
    Decision set_root_cause(const IncidentState& s, const Actor& actor, const std::string& text,
                            EpochMs now) const;
    Decision page(const IncidentState& s, const Actor& actor, const std::string& target,
                  const std::string& user, EpochMs now) const;
    // A due timer of this incident.
    Decision fire(const IncidentState& s, const Timer& timer, EpochMs now) const;
    // A message marked for the timeline in the incident's channel: once per message.
    Decision mark_message(const Incident& inc, const MarkedMessage& m, EpochMs now) const;

    const Escalation& escalation() const { return escalation_; }

  private:
    Decision field(const IncidentState& s, const Actor& actor, bool impact, const std::string& text,
                   EpochMs now) const;

    const Config& config_;
    Platforms& platforms_;
    Sequences& sequences_;
    Escalation escalation_;
};

}  // namespace muster
