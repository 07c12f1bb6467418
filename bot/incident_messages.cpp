#include "bot/incident_messages.h"

#include <SQLiteCpp/Statement.h>

#include <cstdio>

#include "bot/channel_name.h"
#include "bot/duration.h"
#include "bot/message.h"
#include "bot/text.h"
#include "integrations/slack/mrkdwn.h"
#include "storage/outbox_store.h"

namespace muster {

namespace {
std::string hhmm(EpochMs t) {
    const UtcTime u = to_utc(t);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", u.hour, u.minute);
    return buf;
}
}  // namespace

IncidentMessages::IncidentMessages(const Config& config, const Templates& templates)
    : config_(config), templates_(templates) {}

nlohmann::json IncidentMessages::template_data(const Incident& inc, EpochMs now) const {
    const SeverityDef* sev = config_.severity(inc.severity);
    const EpochMs end = inc.resolved_at.value_or(now);
    nlohmann::json d = {
        {"id", inc.id},
        {"title", inc.title},
        {"severity", inc.severity},
        {"severity_name", sev ? sev->name : inc.severity},
        {"severity_description", sev ? sev->description : ""},
        {"respond_within", sev ? format_duration_config(sev->respond_within_ms) : ""},
        {"status", status_name(inc.status)},
        {"status_label", status_label(inc.status)},
        {"ic", inc.ic},
        {"tech", inc.tech},
        {"ops", inc.ops},
        {"comms", inc.comms},
        {"reporter", inc.reporter},
        {"source", inc.source},
        {"channel", inc.channel},
        {"impact", inc.impact},
        {"root_cause", inc.root_cause},
        {"declared_at_utc", format_human_utc(inc.declared_at)},
        {"now_utc", format_human_utc(now)},
        {"now_time", hhmm(now)},
        {"duration", format_duration_short(end - inc.declared_at)},
    };
    if (inc.acknowledged_at) d["acknowledged_at_utc"] = format_human_utc(*inc.acknowledged_at);
    if (inc.resolved_at) d["resolved_at_utc"] = format_human_utc(*inc.resolved_at);
    return d;
}

std::string IncidentMessages::channel_name_for(const Incident& inc, int k) const {
    return channel_name(
        {config_.slack.channel_name_pattern, inc.title, inc.id, inc.severity, inc.declared_at}, k);
}

std::string IncidentMessages::topic(const Incident& inc) const {
    const SeverityDef* sev = config_.severity(inc.severity);
    const std::string ic = inc.ic.empty()
                               ? "unassigned"
                               : (inc.ic[0] == '@' ? slack::escape_mrkdwn(inc.ic)
                                                   : "<@" + slack::escape_mrkdwn(inc.ic) + ">");
    const std::string head = slack::escape_mrkdwn(inc.severity + (sev ? " " + sev->name : "") +
                                                  " · " + status_label(inc.status)) +
                             " · IC: " + ic + " · ";
    // conversations.setTopic answers too_long above 250: the user's title is cut before it is
    // escaped (no pings, no links), so the cut never ends inside an entity.
    const std::size_t used = utf8_length(head);
    return head + cut_and_escape(inc.title, used < 250 ? 250 - used : 0, slack::escape_mrkdwn);
}

void IncidentMessages::console(SQLite::Database& db, const Incident& inc,
                               const std::string& channel, const std::string& kind,
                               const Message& msg, EpochMs now) const {
    if (!config_.console_enabled() || channel.empty()) return;
    enqueue_outbox(db, inc.id, "console", "console:" + channel, kind,
                   dump_json({{"channel", channel}, {"message", to_json(msg)}}), now);
}

void IncidentMessages::slack(SQLite::Database& db, const Incident& inc, const std::string& kind,
                             const nlohmann::json& payload, EpochMs now) const {
    enqueue_outbox(db, inc.id, "slack", "slack:incident:" + inc.id, kind, dump_json(payload), now);
}

void IncidentMessages::in_channel(SQLite::Database& db, const Incident& inc,
                                  const std::string& kind, const Message& msg, EpochMs now) const {
    console(db, inc, inc.channel, kind, msg, now);
    if (!config_.slack_configured()) return;
    slack(db, inc, kind, {{"op", "post"}, {"channel", "@incident"}, {"message", to_json(msg)}},
          now);
}

void IncidentMessages::slack_headline(SQLite::Database& db, const Incident& inc,
                                      EpochMs now) const {
    const nlohmann::json data = template_data(inc, now);
    slack(db, inc, "headline",
          {{"op", "update"},
           {"purpose", "announcement"},
           {"also", "alert"},
           {"message", to_json(templates_.render("announcement", data))}},
          now);
    slack(db, inc, "declaration_refresh",
          {{"op", "update"},
           {"purpose", "declaration"},
           {"message", to_json(templates_.render("declaration", data))}},
          now);
    slack(db, inc, "topic", {{"op", "set_topic"}, {"topic", topic(inc)}}, now);
}

void IncidentMessages::declared(SQLite::Database& db, const Incident& inc, const Actor& actor,
                                EpochMs now) const {
    const nlohmann::json data = template_data(inc, now);
    const SeverityDef* sev = config_.severity(inc.severity);
    const std::string alert = sev ? sev->alert_channel : "";
    // Console: the channel exists already (the console "creates" it at once).
    const std::string announce_console =
        config_.slack.announce_channel.empty() ? "#incidents" : config_.slack.announce_channel;
    const Message declaration = templates_.render("declaration", data);
    const Message announcement_msg = templates_.render("announcement", data);
    console(db, inc, inc.channel, "declaration", declaration, now);
    console(db, inc, announce_console, "announcement", announcement_msg, now);
    if (!alert.empty() && alert != announce_console)
        console(db, inc, alert, "announcement", announcement_msg, now);

    if (!config_.slack_configured()) return;
    slack(db, inc, "create_channel",
          {{"op", "create_channel"},
           {"name", channel_name_for(inc)},
           // What the name was made from, so "-2", "-3" shorten the slug, not the unique part.
           {"name_from",
            {{"pattern", config_.slack.channel_name_pattern},
             {"title", inc.title},
             {"id", inc.id},
             {"severity", inc.severity},
             {"declared_at", inc.declared_at}}},
           {"is_private", config_.slack.channel_private},
           {"response_url", actor.response_url}},
          now);
    nlohmann::json users = nlohmann::json::array();
    if (!inc.reporter.empty()) users.push_back(inc.reporter);
    if (!inc.ic.empty()) users.push_back(inc.ic);
    for (const auto& r : config_.slack.responders) users.push_back(r);
    if (!users.empty()) slack(db, inc, "invite", {{"op", "invite"}, {"users", users}}, now);
    slack(db, inc, "topic",
          {{"op", "set_topic"}, {"topic", topic(inc)}, {"response_url", actor.response_url}}, now);
    slack(db, inc, "declaration",
          {{"op", "post"},
           {"channel", "@incident"},
           {"remember", "declaration"},
           {"response_url", actor.response_url},
           {"message", to_json(declaration)}},
          now);
    slack(db, inc, "pin", {{"op", "pin"}, {"purpose", "declaration"}}, now);
    const nlohmann::json announcement = to_json(announcement_msg);
    if (!config_.slack.announce_channel.empty())
        slack(db, inc, "announcement",
              {{"op", "post"},
               {"channel", config_.slack.announce_channel},
               {"remember", "announcement"},
               {"response_url", actor.response_url},
               {"message", announcement}},
              now);
    if (!alert.empty() && alert != config_.slack.announce_channel)
        slack(
            db, inc, "alert",
            {{"op", "post"}, {"channel", alert}, {"remember", "alert"}, {"message", announcement}},
            now);
}

void IncidentMessages::updated(SQLite::Database& db, const Incident& inc, const std::string& change,
                               const std::string& text, EpochMs now) const {
    nlohmann::json data = template_data(inc, now);
    data["change"] = change;
    const TextAndEta parts = split_eta(text);
    data["text"] = parts.text;
    if (!parts.eta.empty()) data["eta"] = parts.eta;
    // Current actions: what the team noted since the previous status update (seed 001 "what
    // we're doing now"), newest last, at most five.
    SQLite::Statement notes(
        db,
        "SELECT text FROM (SELECT id, text FROM timeline WHERE incident_id = ?1 AND type = 'note' "
        "AND id > IFNULL((SELECT MAX(id) FROM timeline WHERE incident_id = ?1 AND type = "
        "'status_update' AND at < ?2), 0) ORDER BY id DESC LIMIT 5) ORDER BY id");
    notes.bind(1, inc.id);
    notes.bind(2, static_cast<int64_t>(now));  // this update's own event is at `now`
    // One line per note (each renderer draws its own bullets), each cut on its own so a long
    // note never crowds out the others.
    std::string actions;
    while (notes.executeStep())
        actions += (actions.empty() ? "" : "\n") +
                   truncate_chars(sanitize_text(notes.getColumn(0).getString(), false), 500);
    if (!actions.empty()) data["current_actions"] = actions;
    in_channel(db, inc, "status_update", templates_.render("status_update", data), now);
    if (config_.slack_configured()) slack_headline(db, inc, now);
}

void IncidentMessages::resolved(SQLite::Database& db, const Incident& inc, const std::string& text,
                                const std::string& actor, std::optional<EpochMs> pir_due,
                                EpochMs now) const {
    nlohmann::json data = template_data(inc, now);
    data["text"] = text;
    data["actor"] = actor;
    if (pir_due) {
        data["pir_due_utc"] = format_human_utc(*pir_due);
        data["review_within"] = format_duration_config(*pir_due - now);
    }
    in_channel(db, inc, "resolution", templates_.render("resolution", data), now);
    if (config_.slack_configured()) slack_headline(db, inc, now);
}

void IncidentMessages::page(SQLite::Database& db, const Incident& inc, const Contact& contact,
                            int level, int attempt, EpochMs now) const {
    nlohmann::json data = template_data(inc, now);
    data["contact_name"] = contact.name.empty() ? contact.key : contact.name;
    // Planned pages count attempts from 1; pages by hand (/incident page) use 1000 and up.
    const bool by_hand = attempt >= 1000 || level == 0;
    std::string why = level > 0 ? "level " + std::to_string(level) : "";
    if (!by_hand && attempt > 1) why += ", reminder " + std::to_string(attempt - 1);
    if (by_hand) why += std::string(why.empty() ? "" : ", ") + "paged by hand";
    data["page_reason"] = why;
    data["ack_within"] = format_duration_config(config_.escalation.ack_within_ms);
    const Message msg = templates_.render("page", data);
    console(db, inc, "page → " + std::string(data["contact_name"]), "page", msg, now);
    if (config_.slack_configured() && !contact.slack_user.empty()) {
        // chat.postMessage to a user id lands in the app's DM with that user.
        enqueue_outbox(
            db, inc.id, "slack", "slack:dm:" + contact.slack_user, "page",
            dump_json({{"op", "post"}, {"channel", contact.slack_user}, {"message", to_json(msg)}}),
            now);
    }
}

void IncidentMessages::invite(SQLite::Database& db, const Incident& inc, const std::string& user,
                              EpochMs now) const {
    if (!config_.slack_configured() || user.empty() || user[0] == '@') return;
    slack(db, inc, "invite", {{"op", "invite"}, {"users", {user}}}, now);
}

void IncidentMessages::reminder(SQLite::Database& db, const Incident& inc, const std::string& title,
                                const std::string& text, EpochMs now) const {
    nlohmann::json data = template_data(inc, now);
    data["reminder_title"] = title;
    data["reminder_text"] = text;
    in_channel(db, inc, "reminder", templates_.render("reminder", data), now);
}

}  // namespace muster
