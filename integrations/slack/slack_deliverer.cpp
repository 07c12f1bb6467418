// The Slack deliverer: dispatching a queued operation, calling Slack within the rate limits,
// classifying its answers, and the incident channel (create, invite, topic, pin).
#include "integrations/slack/slack_deliverer.h"

#include <set>

#include "bot/domain/channel_name.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"
#include "integrations/slack/block_kit.h"
#include "integrations/slack/deliverer_helpers.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/slack_platform.h"

namespace muster::slack {

namespace {

// "incident-…" + "-k", kept within Slack's 80 characters by shortening the base, never the suffix.
std::string numbered(const std::string& base, int k) {
    const std::string suffix = "-" + std::to_string(k);
    std::string b = base.substr(0, std::min(base.size(), 80 - suffix.size()));
    while (!b.empty() && b.back() == '-') b.pop_back();
    return b + suffix;
}

QueuedOp respond_op(const std::string& incident, const nlohmann::json& payload) {
    QueuedOp o;
    o.incident_id = incident;
    o.destination = "slack";
    o.queue = "slack:respond:" + incident;
    o.kind = "response";
    o.payload = dump(payload);
    return o;
}

}  // namespace

bool is_transient(const std::string& error) {
    static const std::set<std::string> transient = {"ratelimited",     "internal_error",
                                                    "fatal_error",     "service_unavailable",
                                                    "request_timeout", "team_added_to_org"};
    return transient.count(error) > 0;
}

SlackDeliverer::SlackDeliverer(const Config& config, std::shared_ptr<WebApi> api,
                               const Clock& clock, ChatReads& chat,
                               const IncidentMessages& messages, ResponsePoster respond)
    : config_(config),
      api_(std::move(api)),
      clock_(clock),
      chat_(chat),
      messages_(messages),
      respond_(std::move(respond)) {}

std::optional<DeliveryResult> SlackDeliverer::reserve(Op& op, const std::string& method,
                                                      int count) {
    op.reserved[method] = 0;
    const EpochMs now = clock_.now_ms();
    if (const EpochMs wait = limits_.acquire(method, "", now, count); wait > 0)
        return DeliveryResult::throttled("holding " + method + " within Slack's rate limit",
                                         now + wait);
    op.reserved[method] = count;
    return std::nullopt;
}

std::optional<DeliveryResult> SlackDeliverer::call(Op& op, const std::string& method,
                                                   const std::string& channel,
                                                   const nlohmann::json& args, ApiResponse& out) {
    const EpochMs now = clock_.now_ms();
    if (op.reserved[method] > 0) {
        --op.reserved[method];  // counted already by reserve()
    } else if (const EpochMs wait = limits_.acquire(method, channel, now); wait > 0) {
        return DeliveryResult::throttled("holding " + method + " within Slack's rate limit",
                                         now + wait);
    }
    out = api_->call(method, args);
    if (out.http_status == 429) {
        const EpochMs until = clock_.now_ms() + 1000LL * out.retry_after_s.value_or(1);
        limits_.penalize(method, until);
        return DeliveryResult::later(method + ": HTTP 429", until);
    }
    if (out.http_status == 0 || out.http_status >= 500)
        return DeliveryResult::later(method + ": " + out.error());
    if (!out.ok() && is_transient(out.error()))
        return DeliveryResult::later(method + ": " + out.error());
    return std::nullopt;
}

DeliveryResult SlackDeliverer::permanent(const OutboxItem& item, const nlohmann::json& p,
                                         const std::string& what, const std::string& error) {
    const std::string incident = item.incident_id;
    const std::string url = str(p, "response_url");
    const EpochMs now = clock_.now_ms();
    DeliveryResult r = DeliveryResult::failed(what + ": " + error);
    if (incident.empty()) return r;
    r.learned.at = now;
    r.learned.timeline.push_back(
        slack_event(incident, now, "slack_error", "Could not " + what + ": " + error));
    // Someone typed the command and is waiting to hear how it went.
    if (!url.empty())
        r.learned.outbox.push_back(respond_op(
            incident,
            {{"op", "respond"},
             {"response_url", url},
             {"text", "⚠️ " + incident + ": Muster could not " + what + " in Slack (" + error +
                          "). The incident itself is recorded."}}));
    return r;
}

std::optional<Message> SlackDeliverer::message_of(const nlohmann::json& p,
                                                  const std::string& incident, std::string& error) {
    const auto* payload = json_object(p, "message");
    if (!payload) {
        error = "no message";
        return std::nullopt;
    }
    try {
        Message m = messages_.render(*payload);
        // "@incident": the incident's own channel, which exists by now (or not at all).
        const auto ch = chat_.channel_of(incident, "slack");
        for (auto& f : m.fields)
            if (f.channel == "@incident") f.channel = ch ? ch->channel_id : "";
        return m;
    } catch (const std::exception& e) {
        error = std::string("unreadable message: ") + e.what();
        return std::nullopt;
    }
}

DeliveryResult SlackDeliverer::deliver(const OutboxItem& item) {
    const auto parsed = parse_untrusted_json(item.payload);
    if (!parsed || !parsed->is_object()) return DeliveryResult::failed("unreadable payload");
    const nlohmann::json& p = *parsed;
    Op op;
    const std::string kind = str(p, "op");
    if (kind == "create_channel") return create_channel(op, item, p);
    if (kind == "post") return post(op, item, p);
    if (kind == "update") return update(op, item, p);
    if (kind == "respond") return respond(item, p);
    if (kind == "copy_to_timeline") return copy_to_timeline(op, item, p);
    if (kind == "pin") return pin(op, item, p);
    if (kind == "invite" || kind == "set_topic") {
        const auto channel = chat_.channel_of(item.incident_id, "slack");
        // The channel's creation failed and is on the timeline already: say nothing more there.
        if (!channel) return DeliveryResult::failed("the incident has no Slack channel");
        if (kind == "invite") return invite(op, item, p, channel->channel_id);
        return set_topic(op, item, p, channel->channel_id);
    }
    return DeliveryResult::failed("unknown operation '" + kind + "'");
}

DeliveryResult SlackDeliverer::create_channel(Op& op, const OutboxItem& item,
                                              const nlohmann::json& p) {
    const std::string base = str(p, "name");
    // Start after the last number this base name had (remembered here for a burst, and in the
    // database across restarts), so the N-th declaration with one title costs one call, not N.
    int first = 1;
    {
        std::lock_guard<std::mutex> lk(suffix_mu_);
        first = std::max(1, next_suffix_[base]);
    }
    try {
        first = std::max(first, chat_.last_channel_suffix("slack", base) + 1);
    } catch (const std::exception&) {
        // Without it we only probe more.
    }
    for (int k = first; k < first + 50; ++k) {
        {
            std::lock_guard<std::mutex> lk(suffix_mu_);
            next_suffix_[base] = k;
        }
        std::string name = k == 1 ? base : numbered(base, k);
        const auto* from = json_object(p, "name_from");
        if (k > 1 && from)
            name =
                channel_name({str(*from, "pattern"), str(*from, "title"), str(*from, "id"),
                              str(*from, "severity"), json_int(*from, "declared_at").value_or(0)},
                             k);
        ApiResponse a;
        if (auto retry =
                call(op, "conversations.create", "",
                     {{"name", name}, {"is_private", json_bool(p, "is_private", false)}}, a))
            return *retry;
        if (a.ok()) {
            {
                std::lock_guard<std::mutex> lk(suffix_mu_);
                next_suffix_[base] = k + 1;
            }
            const auto* ch = json_object(a.body, "channel");
            const std::string id = ch ? str(*ch, "id") : "";
            if (id.empty()) return permanent(item, p, "create channel #" + name, "no channel id");
            const std::string incident = item.incident_id;
            const std::string url = str(p, "response_url");
            const EpochMs now = clock_.now_ms();
            DeliveryResult r = delivered(id);
            Effects& fx = r.learned;
            fx.at = now;
            fx.channels.push_back({id, incident, "slack", name, true, now});
            fx.suffixes.push_back({"slack", base, k});
            TimelineEvent e = slack_event(incident, now, "channel_created", "");
            e.field = "channel";
            e.old_value = "";
            e.new_value = "#" + name;
            e.data = dump({{"channel_id", id}});
            fx.timeline.push_back(e);
            // The declaration's answer could not name the channel (the name might be taken);
            // now it exists, the conversation where it was declared gets the link.
            if (!url.empty())
                fx.outbox.push_back(respond_op(incident, {{"op", "respond"},
                                                          {"response_url", url},
                                                          {"in_channel", true},
                                                          {"text", incident + " has its channel:"},
                                                          {"channel_id", id}}));
            return r;
        }
        // Never reuse an existing channel: pick the next free name.
        if (a.error() != "name_taken")
            return permanent(item, p, "create channel #" + name, a.error());
    }
    return permanent(item, p, "create channel #" + base, "name_taken 50 times");
}

DeliveryResult SlackDeliverer::invite(Op& op, const OutboxItem& item, const nlohmann::json& p,
                                      const std::string& channel) {
    std::vector<std::pair<std::string, std::string>> refused;
    std::set<std::string> seen;
    const nlohmann::json users =
        json_array(p, "users") ? *json_array(p, "users") : nlohmann::json::array();
    int calls = 0;
    for (const auto& u : users)
        if (u.is_string() && !u.get<std::string>().empty() && u.get<std::string>()[0] != '@')
            ++calls;
    if (calls > 0)
        if (auto held = reserve(op, "conversations.invite", calls)) return *held;
    for (const auto& u : users) {
        if (!u.is_string() || u.get<std::string>().empty() ||
            !seen.insert(u.get<std::string>()).second)
            continue;
        const std::string user = u.get<std::string>();
        if (user[0] == '@') continue;  // a name typed by hand, not a user id: nothing to invite
        ApiResponse a;
        if (auto retry =
                call(op, "conversations.invite", "", {{"channel", channel}, {"users", user}}, a))
            return *retry;
        const std::string e = a.ok() ? "" : a.error();
        if (e.empty() || e == "already_in_channel" || e == "cant_invite_self") continue;
        refused.emplace_back(user, e);
    }
    DeliveryResult r = delivered("invited");
    const EpochMs now = clock_.now_ms();
    r.learned.at = now;
    for (const auto& [user, error] : refused) {
        TimelineEvent e = slack_event(item.incident_id, now, "invite_failed",
                                      "Could not invite @" + user + ": " + error);
        e.data = dump({{"user", user}, {"error", error}});
        r.learned.timeline.push_back(e);
    }
    return r;
}

DeliveryResult SlackDeliverer::set_topic(Op& op, const OutboxItem& item, const nlohmann::json& p,
                                         const std::string& channel) {
    const auto* inc = json_object(p, "incident");
    if (!inc) return DeliveryResult::failed("no incident for the topic");
    // Made here from the incident as it was at the change; within setTopic's 250 characters.
    const std::string text = topic(config_, incident_from_json(*inc));
    ApiResponse a;
    if (auto retry =
            call(op, "conversations.setTopic", "", {{"channel", channel}, {"topic", text}}, a))
        return *retry;
    if (a.ok()) return delivered("topic set");
    return permanent(item, p, "set the channel topic", a.error());
}

DeliveryResult SlackDeliverer::pin(Op& op, const OutboxItem& item, const nlohmann::json& p) {
    const auto msgs = chat_.messages(item.incident_id, "slack", str(p, "purpose"));
    if (msgs.empty()) return DeliveryResult::failed("nothing to pin");
    ApiResponse a;
    if (auto retry = call(op, "pins.add", msgs[0].channel,
                          {{"channel", msgs[0].channel}, {"timestamp", msgs[0].ts}}, a))
        return *retry;
    if (a.ok() || a.error() == "already_pinned") return delivered("pinned " + msgs[0].ts);
    return permanent(item, p, "pin the " + str(p, "purpose"), a.error());
}

}  // namespace muster::slack
