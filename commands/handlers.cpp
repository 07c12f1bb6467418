#include "commands/handlers.h"

#include <algorithm>

#include "bot/domain/duration.h"
#include "bot/domain/text.h"
#include "bot/messages/documents.h"

namespace muster {

namespace {

// In an answer a title is shown, not archived: long ones are cut here (the record keeps all).
constexpr std::size_t kTitleInAnswer = 300;

std::string who(const std::string& user) {
    if (user.empty()) return "nobody";
    if (user[0] == '@') return user;
    return "@" + user;
}

Outcome answer(Reply reply, Decision d) {
    if (d.refused) return {refusal(*d.refused), std::nullopt};
    return {std::move(reply), std::move(d.effects)};
}

}  // namespace

CommandHandlers::CommandHandlers(const Config& config, IncidentReads& reads,
                                 IncidentService& service, const Platforms& platforms)
    : config_(config), reads_(reads), service_(service), platforms_(platforms) {}

Grammar CommandHandlers::grammar() const {
    Grammar g;
    g.severities = config_.severity_keys();
    return g;
}

Outcome CommandHandlers::execute(const Command& cmd, const Actor& actor, EpochMs now) {
    switch (cmd.verb) {
        case Verb::help:
            if (cmd.help_topic)
                return {ephemeral("Usage: " + usage_line(*cmd.help_topic, grammar())),
                        std::nullopt};
            return {ephemeral(help_text(grammar())), std::nullopt};
        case Verb::declare:
            return declare(cmd, actor, now);
        case Verb::list:
            return list();
        default:
            return with_incident(cmd, actor, now);
    }
}

Outcome CommandHandlers::declare(const Command& cmd, const Actor& actor, EpochMs now) {
    Declaration decl{cmd.severity, cmd.impact, cmd.urgency, cmd.text};
    decl.drill = cmd.drill;
    Decision d = service_.declare(decl, actor, now);
    if (d.refused) return {refusal(*d.refused), std::nullopt};
    const Incident& inc = *d.effects.created;
    const SeverityDef* sev = config_.severity(inc.severity);
    std::string text = "🚨 " + inc.id + " declared: " + inc.severity + " (" + sev->name + ") " +
                       truncate_chars(inc.title, kTitleInAnswer) + ".";
    if (!inc.impact_level.empty())
        text += " Severity from impact=" + inc.impact_level + " urgency=" + inc.urgency_level + ".";
    if (!inc.channel.empty())
        text += " Incident channel: " + inc.channel + ".";
    else if (platforms_.opens_channels_later())
        // Not named here: the name may be taken by then, and the channel is then "…-2". The
        // link follows in this conversation once the platform has created it.
        text += " Creating the incident channel; its link follows here.";
    text += " Respond within " + format_duration_config(sev->respond_within_ms) +
            ". Nobody is IC yet: `/incident role ic me` to take it.";
    return {announce(text), std::move(d.effects)};
}

Outcome CommandHandlers::list() {
    const auto open = reads_.list(true, 20);
    if (open.empty()) return {ephemeral("No open incidents."), std::nullopt};
    std::string text = "Open incidents:\n";
    for (const auto& i : open)
        text += "• " + i.id + " " + i.severity + " " + status_label(i.status) + " — " +
                truncate_chars(i.title, 120) +
                (i.ic.empty() ? " (no IC)" : " (IC " + who(i.ic) + ")") +
                (i.channel.empty() ? "" : " " + i.channel) + "\n";
    return {ephemeral(text), std::nullopt};
}

Outcome CommandHandlers::with_incident(const Command& cmd, const Actor& actor, EpochMs now) {
    std::string id;
    if (cmd.incident_id) {
        id = *cmd.incident_id;
    } else if (auto bound = reads_.incident_for_channel(actor.channel_id)) {
        id = *bound;
    } else {
        std::string hint;
        for (const auto& i : reads_.list(true, 3)) hint += (hint.empty() ? "" : ", ") + i.id;
        return {refusal("This is not an incident channel, so name the incident: `/incident " +
                        std::string(verb_name(cmd.verb)) + " INC-YYYYMMDD-NNN …`." +
                        (hint.empty() ? "" : " Open now: " + hint + ".")),
                std::nullopt};
    }
    const auto state = reads_.load(id);
    if (!state) return {refusal("There is no incident " + id + "."), std::nullopt};
    const Incident& inc = state->incident;
    const SeverityDef* sev = config_.severity(inc.severity);

    switch (cmd.verb) {
        case Verb::export_pir:
            return export_pir(cmd, *state, now);
        case Verb::status: {
            std::string t = inc.id + " — " + truncate_chars(inc.title, kTitleInAnswer) + "\n" +
                            "Severity: " + inc.severity + (sev ? " (" + sev->name + ")" : "") +
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
            if (!inc.impact.empty()) t += "\nImpact: " + truncate_chars(inc.impact, 1000);
            if (!inc.root_cause.empty())
                t += "\nRoot cause: " + truncate_chars(inc.root_cause, 1000);
            if (!inc.channel.empty()) t += "\nChannel: " + inc.channel;
            return {ephemeral(t), std::nullopt};
        }
        case Verb::update: {
            if (cmd.status == Status::resolved) {  // `update … resolved` is `resolve`
                Command r = cmd;
                r.verb = Verb::resolve;
                return with_incident(r, actor, now);
            }
            const auto notes = reads_.notes_since_last_update(inc.id, now + 1);
            Decision d = service_.update(*state, actor, cmd.status, cmd.text, notes, now);
            const Status to = d.effects.updated ? d.effects.updated->status : inc.status;
            return answer(announce("⏰ " + inc.id + " update posted (" + status_label(to) +
                                   "): " + truncate_chars(cmd.text, 1000)),
                          std::move(d));
        }
        case Verb::ack:
            return answer(announce("👍 " + inc.id + " acknowledged by " + who(actor.user_id) +
                                   " after " + format_duration_short(now - inc.declared_at) + "."),
                          service_.acknowledge(*state, actor, now));
        case Verb::resolve: {
            Decision d = service_.resolve(*state, actor, cmd.text, now);
            std::string text = "✅ " + inc.id + " resolved after " +
                               format_duration_short(now - inc.declared_at) + ".";
            if (sev && sev->review_within_ms)
                text += " Post-incident review due by " +
                        format_human_utc(now + *sev->review_within_ms) + ".";
            return answer(announce(text), std::move(d));
        }
        case Verb::decline:
            return answer(announce("🚫 " + inc.id + " declined by " + who(actor.user_id) +
                                   ": not an incident. Resolved, left out of reports." +
                                   (cmd.text.empty() ? "" : " " + truncate_chars(cmd.text, 1000))),
                          service_.resolve(*state, actor, cmd.text, now, true));
        case Verb::reopen:
            return answer(announce("🔁 " + inc.id + " reopened by " + who(actor.user_id) + "." +
                                   (cmd.text.empty() ? "" : " " + truncate_chars(cmd.text, 1000))),
                          service_.reopen(*state, actor, cmd.text, now));
        case Verb::severity: {
            const SeverityDef* to = config_.severity(cmd.severity);
            return answer(announce("📶 " + inc.id + " severity " + inc.severity + " → " +
                                   (to ? to->key + " (" + to->name + ")" : cmd.severity) + "."),
                          service_.change_severity(*state, actor, cmd.severity, now));
        }
        case Verb::role: {
            const std::string user = cmd.user == "me" ? actor.user_id : cmd.user;
            return answer(announce("🎖 " + who(user) + " is now " + role_label(cmd.role) +
                                   " of " + inc.id + "."),
                          service_.assign_role(*state, actor, cmd.role, cmd.user, now));
        }
        case Verb::page: {
            Decision d = service_.page(*state, actor, cmd.text, cmd.user, now);
            const std::string said = d.detail;
            return answer(announce(said), std::move(d));
        }
        case Verb::note:
            return answer(ephemeral("📝 Added to the " + inc.id + " timeline."),
                          service_.add_note(*state, actor, cmd.text, now));
        case Verb::action: {
            if (cmd.action_number > 0) {
                const auto items = reads_.action_items(inc.id);
                const auto it = std::find_if(items.begin(), items.end(), [&](const ActionItem& a) {
                    return a.number == cmd.action_number;
                });
                if (it == items.end())
                    return {refusal(inc.id + " has no action item " +
                                    std::to_string(cmd.action_number) + " (it has " +
                                    std::to_string(items.size()) + ")."),
                            std::nullopt};
                return answer(
                    ephemeral("☑️ Action item " + std::to_string(it->number) + " of " + inc.id +
                              " is " + (cmd.action_done ? "done" : "open") + ": " + it->text),
                    service_.close_action_item(*state, actor, *it, cmd.action_done, now));
            }
            Decision d = service_.add_action_item(*state, actor, cmd.text, cmd.owner, cmd.due, now);
            const std::string number = d.detail;
            return answer(ephemeral("☑️ Action item " + number + " added to " + inc.id +
                                    (cmd.owner.empty() ? "" : " for " + who(cmd.owner)) +
                                    (cmd.due ? ", due " + *cmd.due : "") + "."),
                          std::move(d));
        }
        case Verb::impact:
            return answer(ephemeral("Impact of " + inc.id + " recorded."),
                          service_.set_impact(*state, actor, cmd.text, now));
        case Verb::rootcause:
            return answer(ephemeral("Root cause of " + inc.id + " recorded."),
                          service_.set_root_cause(*state, actor, cmd.text, now));
        default:
            break;
    }
    return {refusal("That command is not available."), std::nullopt};
}

// The PIR in chat: a signed link when this server has a public address, else the document
// itself (Markdown or JSON; HTML is a file, so without a link it points at the CLI).
Outcome CommandHandlers::export_pir(const Command& cmd, const IncidentState& state, EpochMs now) {
    const std::string& id = state.incident.id;
    const std::string format = cmd.text.empty() ? "markdown" : cmd.text;
    const std::string cli = "`muster export " + id + " --format " + format + "`";
    if (link_)
        if (const std::string link = link_(id, format, now); !link.empty())
            return {ephemeral("📄 Post-incident review of " + id + " (" + format +
                              "), valid for 24 h: " + link),
                    std::nullopt};
    if (format == "html" || !templates_)
        return {refusal("The HTML review is a file: run " + cli +
                        " (or set server.public_url and server.api_token for a link here)."),
                std::nullopt};
    const auto zone = TimeZone::find(config_.reports.timezone).value_or(TimeZone::utc());
    // Streamed from storage and at most 30 rows rendered (a chat answer holds ~3,700
    // characters): a long incident costs two reads of its timeline, not a render of it.
    const auto pir = load_pir(reads_, id, config_, zone, now);
    if (!pir) return {refusal("There is no incident " + id + "."), std::nullopt};
    // A chat answer keeps to 4,000 characters (PROTOCOLS §4, what the Slack adapter sends): a
    // longer review is cut here, visibly, with the command that prints all of it.
    constexpr std::size_t kInChat = 3'700;
    std::string body;
    if (format == "json") {
        if (pir->events > 50)
            return {refusal("The review of " + id + " is too long for a chat message: run " + cli +
                            "."),
                    std::nullopt};
        body = pir_json(*pir);
        if (utf8_length(body) > kInChat)
            return {refusal("The review of " + id + " is too long for a chat message: run " + cli +
                            "."),
                    std::nullopt};
    } else {
        body = pir_chat_text(*pir, *templates_, 30);
        if (utf8_length(body) > kInChat)
            body =
                truncate_chars(body, kInChat) + "\n\n(cut here: the whole review is " + cli + ")";
    }
    return {ephemeral(std::move(body)), std::nullopt};
}

}  // namespace muster
