#include "commands/handlers.h"

#include <SQLiteCpp/Statement.h>

#include "bot/duration.h"
#include "bot/incident_id.h"
#include "storage/incident_store.h"
#include "storage/outbox_store.h"

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

}  // namespace

CommandHandlers::CommandHandlers(const Config& config, const Templates& templates)
    : config_(config), messages_(config, templates), escalation_(config, messages_) {}

Grammar CommandHandlers::grammar() const {
    Grammar g;
    g.severities = config_.severity_keys();
    return g;
}

Reply CommandHandlers::execute(SQLite::Database& db, const Command& cmd, const Actor& actor,
                               EpochMs now) const {
    switch (cmd.verb) {
        case Verb::help:
            if (cmd.help_topic)
                return ephemeral("Usage: " + usage_line(*cmd.help_topic, grammar()));
            return ephemeral(help_text(grammar()));
        case Verb::declare:
            return declare(db, cmd, actor, now);
        case Verb::list:
            return list(db);
        default:
            return with_incident(db, cmd, actor, now);
    }
}

Reply CommandHandlers::declare(SQLite::Database& db, const Command& cmd, const Actor& actor,
                               EpochMs now) const {
    Incident inc;
    if (!cmd.severity.empty()) {
        inc.severity = cmd.severity;
    } else {
        const auto p = priority_for(config_, *cmd.impact, *cmd.urgency);
        if (!p)
            return refusal(std::string("No severity is configured for impact=") +
                           level_name(*cmd.impact) + " urgency=" + level_name(*cmd.urgency) +
                           " (see priority_matrix).");
        inc.severity = *p;
        inc.impact_level = level_name(*cmd.impact);
        inc.urgency_level = level_name(*cmd.urgency);
    }
    const SeverityDef* sev = config_.severity(inc.severity);
    if (!sev) return refusal("Unknown severity " + inc.severity + ".");
    inc.severity = sev->key;
    const std::string day = utc_day_key(now);
    inc.id = format_incident_id(day, next_incident_seq(db, day));
    inc.title = cmd.text;
    inc.status = Status::investigating;
    inc.reporter = actor.user_id;
    inc.source = actor.platform;
    inc.origin_channel = actor.channel_id;
    inc.declared_at = now;
    inc.updated_at = now;

    // The console stands in for the chat platform: it "creates" the incident channel at once,
    // named by the convention, so the rest of the flow can be driven from curl.
    // Like Slack's name_taken, a name already used (the same title declared in the same minute,
    // or a pattern without a slug) gets "-2", "-3", … starting after the last number this base
    // name had, so an alert storm with one title costs one lookup per declaration, not one per
    // earlier collision.
    std::string channel_id;
    if (config_.console_enabled()) {
        const std::string base = messages_.channel_name_for(inc);
        int k = last_channel_suffix(db, "console", base) + 1;
        for (channel_id = messages_.channel_name_for(inc, k); incident_for_channel(db, channel_id);)
            channel_id = messages_.channel_name_for(inc, ++k);
        record_channel_suffix(db, "console", base, k);
        inc.channel = "#" + channel_id;
    }
    insert_incident(db, inc);

    TimelineEvent declared = event(inc, actor, now, "declared", inc.title);
    declared.data = dump_json({{"severity", inc.severity},
                               {"impact", inc.impact_level},
                               {"urgency", inc.urgency_level},
                               {"channel", actor.channel_id}});
    append_timeline(db, declared);
    if (!channel_id.empty()) {
        bind_channel(db, channel_id, inc.id, "console", channel_id, now);
        append_timeline(db, change(inc, Actor{"", "", "system", "", ""}, now, "channel_created",
                                   "channel", "", inc.channel));
    }

    messages_.declared(db, inc, actor, now);
    escalation_.on_declared(db, inc, now);

    std::string text =
        "🚨 " + inc.id + " declared: " + inc.severity + " (" + sev->name + ") " + inc.title + ".";
    if (!inc.impact_level.empty())
        text += " Severity from impact=" + inc.impact_level + " urgency=" + inc.urgency_level + ".";
    if (!inc.channel.empty())
        text += " Incident channel: " + inc.channel + ".";
    else if (config_.slack_configured())
        // Not named here: the name may be taken by then, and the channel is then "…-2". The
        // link follows in this conversation once Slack has created it.
        text += " Creating the incident channel; its link follows here.";
    text += " Respond within " + format_duration_config(sev->respond_within_ms) +
            ". Nobody is IC yet: `/incident role ic me` to take it.";
    return announce(text);
}

Reply CommandHandlers::list(SQLite::Database& db) const {
    const auto open = list_incidents(db, true, 20);
    if (open.empty()) return ephemeral("No open incidents.");
    std::string text = "Open incidents:\n";
    for (const auto& i : open)
        text += "• " + i.id + " " + i.severity + " " + status_label(i.status) + " — " + i.title +
                (i.ic.empty() ? " (no IC)" : " (IC " + who(i.ic) + ")") +
                (i.channel.empty() ? "" : " " + i.channel) + "\n";
    return ephemeral(text);
}

Reply CommandHandlers::with_incident(SQLite::Database& db, const Command& cmd, const Actor& actor,
                                     EpochMs now) const {
    std::string id;
    if (cmd.incident_id) {
        id = *cmd.incident_id;
    } else if (auto bound = incident_for_channel(db, actor.channel_id)) {
        id = *bound;
    } else {
        std::string hint;
        const auto open = list_incidents(db, true, 3);
        for (const auto& i : open) hint += (hint.empty() ? "" : ", ") + i.id;
        return refusal("This is not an incident channel, so name the incident: `/incident " +
                       std::string(verb_name(cmd.verb)) + " INC-YYYYMMDD-NNN …`." +
                       (hint.empty() ? "" : " Open now: " + hint + "."));
    }
    auto loaded = load_incident(db, id);
    if (!loaded) return refusal("There is no incident " + id + ".");
    Incident inc = *loaded;
    const Incident before = inc;
    const SeverityDef* sev = config_.severity(inc.severity);

    switch (cmd.verb) {
        case Verb::status: {
            std::string t = inc.id + " — " + inc.title + "\n" + "Severity: " + inc.severity +
                            (sev ? " (" + sev->name + ")" : "") +
                            " · Status: " + status_label(inc.status) + " · IC: " + who(inc.ic) +
                            "\n" + "Declared " + format_human_utc(inc.declared_at) + " (" +
                            format_duration_short(inc.resolved_at.value_or(now) - inc.declared_at) +
                            (inc.resolved_at ? " in total)" : " ago)");
            if (inc.acknowledged_at)
                t += "\nAcknowledged " + format_human_utc(*inc.acknowledged_at) + " by " +
                     who(inc.acknowledged_by);
            else
                t += "\nNot acknowledged yet";
            for (Role r : {Role::tech, Role::ops, Role::comms})
                if (!inc.role_holder(r).empty())
                    t += std::string("\n") + role_label(r) + ": " + who(inc.role_holder(r));
            if (!inc.impact.empty()) t += "\nImpact: " + inc.impact;
            if (!inc.root_cause.empty()) t += "\nRoot cause: " + inc.root_cause;
            if (!inc.channel.empty()) t += "\nChannel: " + inc.channel;
            return ephemeral(t);
        }
        case Verb::update: {
            if (cmd.status == Status::resolved) {
                Command r = cmd;
                r.verb = Verb::resolve;
                return with_incident(db, r, actor, now);
            }
            if (auto refused = check_transition(inc, cmd.status)) return refusal(refused->message);
            apply_status(inc, cmd.status, now);
            update_incident(db, inc);
            if (before.status != inc.status)
                append_timeline(db, change(inc, actor, now, "status_changed", "status",
                                           status_name(before.status), status_name(inc.status)));
            append_timeline(db, event(inc, actor, now, "status_update", cmd.text));
            const std::string what = before.status != inc.status
                                         ? std::string("Status ") + status_label(before.status) +
                                               " → " + status_label(inc.status)
                                         : std::string("Still ") + status_label(inc.status);
            messages_.updated(db, inc, what, cmd.text, now);
            escalation_.on_status_update(db, inc, now);
            return announce("⏰ " + inc.id + " update posted (" + status_label(inc.status) +
                            "): " + cmd.text);
        }
        case Verb::ack: {
            if (inc.status == Status::resolved)
                return refusal(inc.id + " is resolved; there is nothing to acknowledge.");
            if (inc.acknowledged_at)
                return refusal(inc.id + " was already acknowledged by " + who(inc.acknowledged_by) +
                               " at " + format_human_utc(*inc.acknowledged_at) + ".");
            inc.acknowledged_at = now;
            inc.acknowledged_by = actor.user_id;
            inc.updated_at = now;
            update_incident(db, inc);
            append_timeline(db, event(inc, actor, now, "acknowledged"));
            messages_.updated(db, inc, "Acknowledged by " + who(actor.user_id), "", now);
            escalation_.on_acknowledged(db, inc, actor, now);
            return announce("👍 " + inc.id + " acknowledged by " + who(actor.user_id) + " after " +
                            format_duration_short(now - inc.declared_at) + ".");
        }
        case Verb::resolve: {
            if (auto refused = check_transition(inc, Status::resolved))
                return refusal(refused->message);
            apply_status(inc, Status::resolved, now);
            update_incident(db, inc);
            append_timeline(db, change(inc, actor, now, "resolved", "status",
                                       status_name(before.status), "resolved", cmd.text));
            // The severity's review rule (seeds 000/001: P0/P1 within 48 h).
            std::optional<EpochMs> review_due;
            if (sev && sev->review_within_ms) review_due = now + *sev->review_within_ms;
            messages_.resolved(db, inc, cmd.text, actor.user_id, review_due, now);
            escalation_.on_resolved(db, inc, actor, now);
            return announce(
                "✅ " + inc.id + " resolved after " + format_duration_short(now - inc.declared_at) +
                "." +
                (review_due ? " Post-incident review due by " + format_human_utc(*review_due) + "."
                            : ""));
        }
        case Verb::reopen: {
            if (auto refused = check_reopen(inc)) return refusal(refused->message);
            apply_reopen(inc, now);
            update_incident(db, inc);
            append_timeline(db, change(inc, actor, now, "reopened", "status", "resolved",
                                       status_name(inc.status), cmd.text));
            messages_.updated(db, inc, "Reopened by " + who(actor.user_id), cmd.text, now);
            escalation_.on_reopened(db, inc, now);
            return announce("🔁 " + inc.id + " reopened by " + who(actor.user_id) + "." +
                            (cmd.text.empty() ? "" : " " + cmd.text));
        }
        case Verb::severity: {
            if (sev && sev->key == cmd.severity)
                return refusal(inc.id + " is already " + inc.severity + ".");
            const SeverityDef* to = config_.severity(cmd.severity);
            inc.severity = to ? to->key : cmd.severity;
            inc.updated_at = now;
            update_incident(db, inc);
            append_timeline(db, change(inc, actor, now, "severity_changed", "severity",
                                       before.severity, inc.severity));
            messages_.updated(db, inc, "Severity " + before.severity + " → " + inc.severity, "",
                              now);
            escalation_.on_severity_changed(db, inc, now);
            return announce("📶 " + inc.id + " severity " + before.severity + " → " + inc.severity +
                            (to ? " (" + to->name + ")" : "") + ".");
        }
        case Verb::role: {
            const std::string user = cmd.user == "me" ? actor.user_id : cmd.user;
            std::string& holder = inc.role_holder(cmd.role);
            if (holder == user)
                return refusal(who(user) + " is already " + role_label(cmd.role) + " of " + inc.id +
                               ".");
            const std::string previous = holder;
            holder = user;
            inc.updated_at = now;
            update_incident(db, inc);
            append_timeline(
                db, change(inc, actor, now, "role_assigned", role_name(cmd.role), previous, user));
            messages_.updated(db, inc,
                              std::string(role_label(cmd.role)) + ": " + who(user) +
                                  (previous.empty() ? "" : " (was " + who(previous) + ")"),
                              "", now);
            messages_.invite(db, inc, user, now);
            if (cmd.role == Role::ic) escalation_.on_ic_assigned(db, inc, now);
            return announce("🎖 " + who(user) + " is now " + role_label(cmd.role) + " of " +
                            inc.id + ".");
        }
        case Verb::page: {
            std::string error;
            const auto text = escalation_.page_now(db, inc, cmd.text, cmd.user, actor, now, error);
            if (!text) return refusal(error);
            return announce(*text);
        }
        case Verb::note: {
            append_timeline(db, event(inc, actor, now, "note", cmd.text));
            inc.updated_at = now;
            update_incident(db, inc);
            return ephemeral("📝 Added to the " + inc.id + " timeline.");
        }
        case Verb::action: {
            ActionItem a;
            a.incident_id = inc.id;
            a.text = cmd.text;
            a.owner = cmd.owner;
            a.due = cmd.due;
            a.created_at = now;
            a.created_by = actor.user_id;
            const auto item_id = add_action_item(db, a);
            TimelineEvent e = event(inc, actor, now, "action_item_added", cmd.text);
            e.data = dump_json(
                {{"action_item", item_id}, {"owner", cmd.owner}, {"due", cmd.due ? *cmd.due : ""}});
            append_timeline(db, e);
            return ephemeral("☑️ Action item #" + std::to_string(item_id) + " added to " +
                             inc.id + (cmd.owner.empty() ? "" : " for " + who(cmd.owner)) +
                             (cmd.due ? ", due " + *cmd.due : "") + ".");
        }
        case Verb::impact:
        case Verb::rootcause: {
            const bool is_impact = cmd.verb == Verb::impact;
            std::string& field = is_impact ? inc.impact : inc.root_cause;
            const std::string previous = field;
            field = cmd.text;
            inc.updated_at = now;
            update_incident(db, inc);
            append_timeline(db, change(inc, actor, now, is_impact ? "impact_set" : "root_cause_set",
                                       is_impact ? "impact" : "root_cause", previous, cmd.text));
            return ephemeral(std::string(is_impact ? "Impact" : "Root cause") + " of " + inc.id +
                             " recorded.");
        }
        default:
            break;
    }
    return refusal("That command is not available.");
}

}  // namespace muster
