#include "bot/service/incident_service.h"

#include <nlohmann/json.hpp>

#include "bot/domain/incident_id.h"

namespace muster {

namespace {

std::string who(const std::string& user) {
    if (user.empty()) return "nobody";
    if (user[0] == '@') return user;
    return "@" + user;
}

TimelineEvent event(const Incident& inc, const Actor& actor, EpochMs now, std::string type,
                    std::string text = "") {
    TimelineEvent e;
    e.incident_id = inc.id;
    e.at = now;
    e.type = std::move(type);
    e.actor = actor.user_id;
    e.source = actor.platform;
    e.text = std::move(text);
    return e;
}

TimelineEvent change(const Incident& inc, const Actor& actor, EpochMs now, std::string type,
                     std::string field, std::string from, std::string to, std::string text = "") {
    TimelineEvent e = event(inc, actor, now, std::move(type), std::move(text));
    e.field = std::move(field);
    e.old_value = std::move(from);
    e.new_value = std::move(to);
    return e;
}

Decision refuse(std::string why) {
    Decision d;
    d.refused = std::move(why);
    return d;
}

// A change to an existing incident: applied only if it is still at the version read.
Decision changing(const IncidentState& s, const Actor& actor, EpochMs now) {
    Decision d;
    d.effects.source = actor.platform;
    d.effects.at = now;
    d.effects.updated = s.incident;
    return d;
}

IncidentState with(const IncidentState& s, const Incident& inc) {
    IncidentState next = s;
    next.incident = inc;
    return next;
}

}  // namespace

IncidentService::IncidentService(const Config& config, Platforms& platforms, Sequences& sequences)
    : config_(config),
      platforms_(platforms),
      sequences_(sequences),
      escalation_(config, platforms) {}

Decision IncidentService::declare(const Declaration& d, const Actor& actor, EpochMs now) {
    Incident inc;
    if (!d.severity.empty()) {
        inc.severity = d.severity;
    } else if (d.impact && d.urgency) {
        const auto p = priority_for(config_, *d.impact, *d.urgency);
        if (!p)
            return refuse(std::string("No severity is configured for impact=") +
                          level_name(*d.impact) + " urgency=" + level_name(*d.urgency) +
                          " (see priority_matrix).");
        inc.severity = *p;
        inc.impact_level = level_name(*d.impact);
        inc.urgency_level = level_name(*d.urgency);
    }
    const SeverityDef* sev = config_.severity(inc.severity);
    if (!sev) return refuse("Unknown severity " + inc.severity + ".");
    inc.severity = sev->key;
    const std::string day = utc_day_key(now);
    inc.id = format_incident_id(day, sequences_.next_incident_seq(day));
    inc.title = d.title;
    inc.status = Status::investigating;
    inc.reporter = actor.user_id;
    inc.source = actor.platform;
    inc.origin_channel = actor.channel_id;
    inc.declared_at = now;
    inc.updated_at = now;
    inc.drill = d.drill;
    inc.source_link = d.link;

    Decision out;
    Effects& fx = out.effects;
    fx.source = actor.platform;
    fx.at = now;
    // A platform that has the channel at once (the console) names it now.
    platforms_.open_channels_now(inc, now, fx);
    for (const auto& ch : fx.channels)
        if (ch.is_incident_channel) {
            inc.channel = "#" + ch.name;
            break;
        }
    fx.created = inc;
    TimelineEvent declared = event(inc, actor, now, "declared", inc.title);
    nlohmann::json data = {{"severity", inc.severity},
                           {"impact", inc.impact_level},
                           {"urgency", inc.urgency_level},
                           {"channel", actor.channel_id}};
    if (!d.link.empty()) data["link"] = d.link;
    if (d.drill) data["drill"] = true;
    declared.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    fx.timeline.push_back(declared);
    for (const auto& ch : fx.channels)
        fx.timeline.push_back(change(inc, Actor{"", "", "system", "", ""}, now, "channel_created",
                                     "channel", "", "#" + ch.name));
    fx.notifications.push_back(Declared{inc, actor, d.link});
    IncidentState state;
    state.incident = inc;
    escalation_.on_declared(state, now, fx);
    return out;
}

Decision IncidentService::update(const IncidentState& s, const Actor& actor, Status to,
                                 const std::string& text, const std::vector<std::string>& notes,
                                 EpochMs now) const {
    if (to == Status::resolved) return resolve(s, actor, text, now);
    if (auto refused = check_transition(s.incident, to)) return refuse(refused->message);
    Decision d = changing(s, actor, now);
    Incident inc = s.incident;
    const Status before = inc.status;
    apply_status(inc, to, now);
    d.effects.updated = inc;
    d.effects.updated->version = s.incident.version;
    if (before != inc.status)
        d.effects.timeline.push_back(change(inc, actor, now, "status_changed", "status",
                                            status_name(before), status_name(inc.status)));
    d.effects.timeline.push_back(event(inc, actor, now, "status_update", text));
    std::string actions;
    for (const auto& n : notes) actions += (actions.empty() ? "" : "\n") + n;
    d.effects.notifications.push_back(StatusUpdated{
        inc,
        before != inc.status
            ? std::string("Status ") + status_label(before) + " → " + status_label(inc.status)
            : std::string("Still ") + status_label(inc.status),
        text, actions});
    escalation_.on_status_update(with(s, inc), now, d.effects);
    return d;
}

Decision IncidentService::acknowledge(const IncidentState& s, const Actor& actor,
                                      EpochMs now) const {
    const Incident& cur = s.incident;
    if (cur.status == Status::resolved)
        return refuse(cur.id + " is resolved; there is nothing to acknowledge.");
    if (cur.acknowledged_at)
        return refuse(cur.id + " was already acknowledged by " + who(cur.acknowledged_by) + " at " +
                      format_human_utc(*cur.acknowledged_at) + ".");
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    inc.acknowledged_at = now;
    inc.acknowledged_by = actor.user_id;
    inc.updated_at = now;
    d.effects.timeline.push_back(event(inc, actor, now, "acknowledged"));
    d.effects.notifications.push_back(
        StatusUpdated{inc, "Acknowledged by " + who(actor.user_id), "", ""});
    d.effects.notifications.push_back(SourceSync{inc.id, "acknowledge", actor.platform});
    escalation_.on_acknowledged(with(s, inc), actor, now, d.effects);
    return d;
}

Decision IncidentService::resolve(const IncidentState& s, const Actor& actor,
                                  const std::string& text, EpochMs now, bool declined) const {
    if (auto refused = check_transition(s.incident, Status::resolved))
        return refuse(refused->message);
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    const Status before = inc.status;
    apply_status(inc, Status::resolved, now);
    inc.declined = declined;
    d.effects.timeline.push_back(change(inc, actor, now, declined ? "declined" : "resolved",
                                        "status", status_name(before), "resolved", text));
    // The severity's review rule (seeds 000/001: P0/P1 within 48 h); none for a declined one.
    std::optional<EpochMs> review_due;
    if (const SeverityDef* sev = config_.severity(inc.severity);
        sev && sev->review_within_ms && !declined)
        review_due = now + *sev->review_within_ms;
    d.effects.notifications.push_back(Resolved{inc, text, actor.user_id, review_due});
    d.effects.notifications.push_back(SourceSync{inc.id, "resolve", actor.platform});
    escalation_.on_resolved(with(s, inc), actor, now, d.effects);
    return d;
}

Decision IncidentService::reopen(const IncidentState& s, const Actor& actor,
                                 const std::string& text, EpochMs now) const {
    if (auto refused = check_reopen(s.incident)) return refuse(refused->message);
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    apply_reopen(inc, now);
    inc.declined = false;
    d.effects.timeline.push_back(
        change(inc, actor, now, "reopened", "status", "resolved", status_name(inc.status), text));
    d.effects.notifications.push_back(
        StatusUpdated{inc, "Reopened by " + who(actor.user_id), text, ""});
    escalation_.on_reopened(with(s, inc), now, d.effects);
    return d;
}

Decision IncidentService::change_severity(const IncidentState& s, const Actor& actor,
                                          const std::string& severity, EpochMs now) const {
    const SeverityDef* to = config_.severity(severity);
    if (!to) return refuse("Unknown severity " + severity + ".");
    if (to->key == s.incident.severity)
        return refuse(s.incident.id + " is already " + s.incident.severity + ".");
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    const std::string before = inc.severity;
    inc.severity = to->key;
    inc.updated_at = now;
    d.effects.timeline.push_back(
        change(inc, actor, now, "severity_changed", "severity", before, inc.severity));
    d.effects.notifications.push_back(
        StatusUpdated{inc, "Severity " + before + " → " + inc.severity, "", ""});
    escalation_.on_severity_changed(with(s, inc), now, d.effects);
    return d;
}

Decision IncidentService::assign_role(const IncidentState& s, const Actor& actor, Role role,
                                      const std::string& user_in, EpochMs now) const {
    const std::string user = user_in == "me" ? actor.user_id : user_in;
    if (s.incident.role_holder(role) == user)
        return refuse(who(user) + " is already " + role_label(role) + " of " + s.incident.id + ".");
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    const std::string previous = inc.role_holder(role);
    inc.role_holder(role) = user;
    inc.updated_at = now;
    d.effects.timeline.push_back(
        change(inc, actor, now, "role_assigned", role_name(role), previous, user));
    d.effects.notifications.push_back(
        StatusUpdated{inc,
                      std::string(role_label(role)) + ": " + who(user) +
                          (previous.empty() ? "" : " (was " + who(previous) + ")"),
                      "", ""});
    d.effects.notifications.push_back(Invited{inc, user});
    if (role == Role::ic) escalation_.on_ic_assigned(s, d.effects);
    d.detail = user;
    return d;
}

Decision IncidentService::add_note(const IncidentState& s, const Actor& actor,
                                   const std::string& text, EpochMs now) const {
    Decision d = changing(s, actor, now);
    d.effects.updated->updated_at = now;
    d.effects.timeline.push_back(event(s.incident, actor, now, "note", text));
    return d;
}

Decision IncidentService::add_action_item(const IncidentState& s, const Actor& actor,
                                          const std::string& text, const std::string& owner,
                                          const std::optional<std::string>& due,
                                          EpochMs now) const {
    Decision d = changing(s, actor, now);
    ActionItem a;
    a.incident_id = s.incident.id;
    a.number = s.action_items + 1;
    a.text = text;
    a.owner = owner;
    a.due = due;
    a.created_at = now;
    a.created_by = actor.user_id;
    d.effects.action_items.push_back(a);
    TimelineEvent e = event(s.incident, actor, now, "action_item_added", text);
    e.data =
        nlohmann::json({{"action_item", a.number}, {"owner", owner}, {"due", due.value_or("")}})
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    d.effects.timeline.push_back(e);
    d.detail = std::to_string(a.number);
    return d;
}

Decision IncidentService::close_action_item(const IncidentState& s, const Actor& actor,
                                            const ActionItem& item, bool done, EpochMs now) const {
    const std::string to = done ? "done" : "open";
    if (item.status == to)
        return refuse("Action item " + std::to_string(item.number) + " of " + s.incident.id +
                      " is " + to + " already.");
    Decision d = changing(s, actor, now);
    d.effects.action_item_changes.push_back({s.incident.id, item.number, to, now});
    TimelineEvent e =
        change(s.incident, actor, now, done ? "action_item_done" : "action_item_reopened",
               "action_item_" + std::to_string(item.number), item.status, to, item.text);
    d.effects.timeline.push_back(e);
    return d;
}

Decision IncidentService::field(const IncidentState& s, const Actor& actor, bool impact,
                                const std::string& text, EpochMs now) const {
    Decision d = changing(s, actor, now);
    Incident& inc = *d.effects.updated;
    std::string& f = impact ? inc.impact : inc.root_cause;
    const std::string previous = f;
    f = text;
    inc.updated_at = now;
    d.effects.timeline.push_back(change(inc, actor, now, impact ? "impact_set" : "root_cause_set",
                                        impact ? "impact" : "root_cause", previous, text));
    return d;
}

Decision IncidentService::set_impact(const IncidentState& s, const Actor& actor,
                                     const std::string& text, EpochMs now) const {
    return field(s, actor, true, text, now);
}

Decision IncidentService::set_root_cause(const IncidentState& s, const Actor& actor,
                                         const std::string& text, EpochMs now) const {
    return field(s, actor, false, text, now);
}

Decision IncidentService::page(const IncidentState& s, const Actor& actor,
                               const std::string& target, const std::string& user,
                               EpochMs now) const {
    Decision d = changing(s, actor, now);
    std::string error;
    const auto said = escalation_.page_now(s, target, user, actor, now, d.effects, error);
    if (!said) return refuse(error);
    d.detail = *said;
    return d;
}

Decision IncidentService::fire(const IncidentState& s, const Timer& timer, EpochMs now) const {
    Decision d;
    d.effects.source = "system";
    d.effects.at = now;
    d.effects.updated = s.incident;  // decided on this version: a change meanwhile re-decides
    d.effects.fire = timer.id;
    escalation_.fire(s, timer, now, d.effects);
    return d;
}

Decision IncidentService::mark_message(const Incident& inc, const MarkedMessage& m,
                                       EpochMs now) const {
    Decision d;
    Effects& fx = d.effects;
    fx.source = m.platform;
    fx.at = now;
    // One platform action can arrive as several events (a pin and a 📌, the same pin under new
    // event ids): one timeline entry per message.
    fx.dedupe.push_back({m.platform + "_event", m.event_id, std::nullopt, now});
    fx.dedupe.push_back(
        {m.platform + "_marked_message", m.channel + "/" + m.ts, std::nullopt, now});
    if (m.via_reaction && m.text.empty()) {
        fx.notifications.push_back(
            FetchMarkedMessage{inc.id, m.platform, m.channel, m.ts, m.marked_by, m.at});
        return d;
    }
    TimelineEvent e;
    e.incident_id = inc.id;
    e.at = m.at;
    e.type = "pinned_message";
    e.actor = m.marked_by;
    e.source = m.platform;
    e.text = m.text;
    e.data = nlohmann::json({{"author", m.author},
                             {"channel", m.channel},
                             {"ts", m.ts},
                             {"via", m.via_reaction ? "reaction" : "pin"}})
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    fx.timeline.push_back(e);
    return d;
}

}  // namespace muster
