#include "integrations/slack/slack_platform.h"

#include "bot/domain/channel_name.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/messages/incident_messages.h"
#include "integrations/slack/mrkdwn.h"

namespace muster::slack {

namespace {

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

QueuedOp op(const std::string& incident, const std::string& queue, const std::string& kind,
            const nlohmann::json& payload, int priority = kChatPriority) {
    QueuedOp o;
    o.incident_id = incident;
    o.destination = "slack";
    o.queue = queue;
    o.kind = kind;
    o.payload = dump(payload);
    o.priority = priority;
    return o;
}

// An operation that carries a message (JSON text from message_payload).
QueuedOp op(const std::string& incident, const std::string& queue, const std::string& kind,
            const nlohmann::json& head, const std::string& message, int priority = kChatPriority) {
    QueuedOp o = op(incident, queue, kind, nlohmann::json(nullptr), priority);
    o.payload = with_message(head, message);
    return o;
}

std::string incident_queue(const std::string& id) {
    return "slack:incident:" + id;
}

}  // namespace

std::string shared_channel_queue(const std::string& channel) {
    return std::string(kSharedChannelQueue) + channel;
}

namespace {

MessageSpec spec_of(const Notification& n, const Config& config, const std::string& purpose) {
    for (auto& s : messages_for(n, config))
        if (s.purpose == purpose) return s;
    return {purpose, purpose, nlohmann::json::object()};
}

}  // namespace

std::string topic(const Config& config, const Incident& inc) {
    const SeverityDef* sev = config.severity(inc.severity);
    const std::string ic = inc.ic.empty() ? "unassigned"
                                          : (inc.ic[0] == '@' ? escape_mrkdwn(inc.ic)
                                                              : "<@" + escape_mrkdwn(inc.ic) + ">");
    const std::string head = escape_mrkdwn(inc.severity + (sev ? " " + sev->name : "") + " · " +
                                           status_label(inc.status)) +
                             " · IC: " + ic + " · ";
    const std::size_t used = utf8_length(head);
    return head + cut_and_escape(inc.title, used < 250 ? 250 - used : 0, escape_mrkdwn);
}

void SlackChat::declared(const Declared& d, EpochMs at, std::vector<QueuedOp>& out) const {
    const Incident& inc = d.incident;
    const std::string q = incident_queue(inc.id);
    const std::string response_url = d.actor.platform == "slack" ? d.actor.response_url : "";
    const ChannelNameInput name_from{config_.slack.channel_name_pattern, inc.title, inc.id,
                                     inc.severity, inc.declared_at};
    out.push_back(op(inc.id, q, "create_channel",
                     {{"op", "create_channel"},
                      {"name", channel_name(name_from)},
                      // What the name was made from, so "-2", "-3" shorten the slug.
                      {"name_from",
                       {{"pattern", name_from.pattern},
                        {"title", inc.title},
                        {"id", inc.id},
                        {"severity", inc.severity},
                        {"declared_at", inc.declared_at}}},
                      {"is_private", config_.slack.channel_private},
                      {"response_url", response_url}}));
    nlohmann::json users = nlohmann::json::array();
    if (!inc.reporter.empty() && d.actor.platform == "slack") users.push_back(inc.reporter);
    if (!inc.ic.empty()) users.push_back(inc.ic);
    for (const auto& r : config_.slack.responders) users.push_back(r);
    if (!users.empty())
        out.push_back(op(inc.id, q, "invite", {{"op", "invite"}, {"users", users}}));
    out.push_back(op(inc.id, q, "topic",
                     {{"op", "set_topic"},
                      {"incident", incident_to_json(inc)},
                      {"response_url", response_url}}));
    const Notification n = d;
    out.push_back(op(inc.id, q, "declaration",
                     {{"op", "post"},
                      {"channel", "@incident"},
                      {"remember", "declaration"},
                      {"response_url", response_url}},
                     message_payload(spec_of(n, config_, "declaration"), inc, at)));
    out.push_back(op(inc.id, q, "pin", {{"op", "pin"}, {"purpose", "declaration"}}));
    const std::string announcement = message_payload(spec_of(n, config_, "announcement"), inc, at);
    // Announcements queue per shared channel, not behind the incident's own operations: in a
    // storm they pile up there and go out as digests (SlackDeliverer::fold_limit), and a
    // channel held by Slack's ~1 message/s never holds back an incident's own updates.
    if (!config_.slack.announce_channel.empty())
        out.push_back(op(inc.id, shared_channel_queue(config_.slack.announce_channel),
                         "announcement",
                         {{"op", "post"},
                          {"channel", config_.slack.announce_channel},
                          {"remember", "announcement"},
                          {"response_url", response_url}},
                         announcement));
    const SeverityDef* sev = config_.severity(inc.severity);
    const std::string alert = sev ? sev->alert_channel : "";
    if (!alert.empty() && alert != config_.slack.announce_channel)
        out.push_back(op(inc.id, shared_channel_queue(alert), "alert",
                         {{"op", "post"}, {"channel", alert}, {"remember", "alert"}},
                         announcement));
}

void SlackChat::headline(const Incident& inc, EpochMs at, std::vector<QueuedOp>& out) const {
    const std::string q = incident_queue(inc.id);
    const Notification n = Declared{inc, {}};
    out.push_back(op(inc.id, q, "headline",
                     {{"op", "update"}, {"purpose", "announcement"}, {"also", "alert"}},
                     message_payload(spec_of(n, config_, "announcement"), inc, at)));
    out.push_back(op(inc.id, q, "declaration_refresh",
                     {{"op", "update"}, {"purpose", "declaration"}},
                     message_payload(spec_of(n, config_, "declaration"), inc, at)));
    out.push_back(
        op(inc.id, q, "topic", {{"op", "set_topic"}, {"incident", incident_to_json(inc)}}));
}

void SlackChat::plan(const Notification& n, const std::string&, EpochMs at,
                     std::vector<QueuedOp>& out) const {
    auto in_channel = [&](const Incident& inc, const MessageSpec& spec) {
        out.push_back(op(inc.id, incident_queue(inc.id), spec.purpose,
                         {{"op", "post"}, {"channel", "@incident"}},
                         message_payload(spec, inc, at)));
    };
    if (const auto* d = std::get_if<Declared>(&n)) return declared(*d, at, out);
    if (const auto* u = std::get_if<StatusUpdated>(&n)) {
        in_channel(u->incident, spec_of(n, config_, "status_update"));
        return headline(u->incident, at, out);
    }
    if (const auto* r = std::get_if<Resolved>(&n)) {
        in_channel(r->incident, spec_of(n, config_, "resolution"));
        return headline(r->incident, at, out);
    }
    if (const auto* m = std::get_if<Reminder>(&n))
        return in_channel(m->incident, spec_of(n, config_, "reminder"));
    if (const auto* a = std::get_if<AlertsChanged>(&n))
        return in_channel(a->incident, spec_of(n, config_, "alerts"));
    if (const auto* i = std::get_if<Invited>(&n)) {
        // Someone given a role joins the channel; "@name" typed by hand is no user id.
        if (i->user.empty() || i->user[0] == '@') return;
        out.push_back(op(i->incident.id, incident_queue(i->incident.id), "invite",
                         {{"op", "invite"}, {"users", {i->user}}}));
        return;
    }
    if (const auto* a = std::get_if<Answer>(&n)) {
        if (a->platform != "slack" || a->address.empty()) return;
        out.push_back(op(a->incident_id, "slack:respond:" + a->incident_id, "response",
                         {{"op", "respond"},
                          {"response_url", a->address},
                          {"in_channel", a->in_channel},
                          {"text", a->text}}));
        return;
    }
    if (const auto* f = std::get_if<FetchMarkedMessage>(&n)) {
        if (f->platform != "slack") return;
        // The event carried no text: fetch it (conversations.history) after this request.
        out.push_back(op(f->incident_id, incident_queue(f->incident_id), "timeline_copy",
                         {{"op", "copy_to_timeline"},
                          {"channel", f->channel},
                          {"ts", f->ts},
                          {"actor", f->actor},
                          {"kind", "reaction"},
                          {"at", f->at}}));
    }
}

void SlackDm::plan_page(const PageContact& page, EpochMs at, std::vector<QueuedOp>& out) const {
    // chat.postMessage to a user id lands in the app's DM with that user.
    for (const auto& spec : messages_for(page, config_))
        out.push_back(op(page.incident.id, "slack:dm:" + page.contact.slack_user, "page",
                         {{"op", "post"}, {"channel", page.contact.slack_user}},
                         message_payload(spec, page.incident, at), kPagePriority));
}

}  // namespace muster::slack
