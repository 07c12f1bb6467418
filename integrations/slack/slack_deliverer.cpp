#include "integrations/slack/slack_deliverer.h"

#include <set>

#include "bot/domain/channel_name.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"
#include "integrations/slack/block_kit.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/slack_platform.h"

namespace muster::slack {

namespace {

DeliveryResult delivered(std::string detail) {
    return DeliveryResult::ok(std::move(detail));
}

std::string str(const nlohmann::json& p, const char* key) {
    return json_string(p, key);
}

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "incident-…" + "-k", kept within Slack's 80 characters by shortening the base, never the suffix.
std::string numbered(const std::string& base, int k) {
    const std::string suffix = "-" + std::to_string(k);
    std::string b = base.substr(0, std::min(base.size(), 80 - suffix.size()));
    while (!b.empty() && b.back() == '-') b.pop_back();
    return b + suffix;
}

TimelineEvent slack_event(const std::string& incident_id, EpochMs now, const std::string& type,
                          const std::string& text) {
    TimelineEvent e;
    e.incident_id = incident_id;
    e.at = now;
    e.type = type;
    e.actor = "muster";
    e.source = "slack";
    e.text = text;
    return e;
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

struct SlackDeliverer::Op {
    std::map<std::string, int> reserved;  // calls already counted by reserve()
};

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

namespace {
// An announcement links to the incident's channel, which its own queue is creating meanwhile:
// it waits for it this long, then goes out without the link.
constexpr EpochMs kWaitForChannelMs = 10'000;

bool in_shared_channel_queue(const OutboxItem& item) {
    return item.queue.rfind(kSharedChannelQueue, 0) == 0;
}
}  // namespace

int SlackDeliverer::fold_limit(const OutboxItem& head) const {
    return in_shared_channel_queue(head) && (head.kind == "announcement" || head.kind == "alert")
               ? kDigestMax - 1
               : 0;
}

DeliveryResult SlackDeliverer::deliver_folded(const OutboxItem& head,
                                              const std::vector<OutboxItem>& followers) {
    const auto first = parse_untrusted_json(head.payload);
    const std::string channel = first ? str(*first, "channel") : "";
    std::vector<nlohmann::json> messages;
    std::vector<const OutboxItem*> covered;
    for (const OutboxItem* item : [&] {
             std::vector<const OutboxItem*> all{&head};
             for (const auto& f : followers) all.push_back(&f);
             return all;
         }()) {
        const auto j = parse_untrusted_json(item->payload);
        const auto* m = j ? json_object(*j, "message") : nullptr;
        // A row that does not read (or names another channel) goes out on its own turn.
        if (!m || str(*j, "channel") != channel || channel.empty()) break;
        messages.push_back(*m);
        covered.push_back(item);
    }
    if (covered.size() < 2) return deliver(head);
    const BlockKitMessage bk = render_blocks(digest_message(messages));
    Op op;
    ApiResponse a;
    if (auto retry = call(op, "chat.postMessage", channel,
                          {{"channel", channel}, {"text", bk.text}, {"blocks", bk.blocks}}, a))
        return *retry;
    if (!a.ok())
        return permanent(
            head, *first,
            "post a digest of " + std::to_string(covered.size()) + " announcements to " + channel,
            a.error());
    const std::string ts = str(a.body, "ts");
    const std::string posted = str(a.body, "channel").empty() ? channel : str(a.body, "channel");
    DeliveryResult r =
        delivered("digest of " + std::to_string(covered.size()) + ": " + posted + "/" + ts);
    r.learned.at = clock_.now_ms();
    for (const OutboxItem* item : covered) {
        if (item != &head) r.also_delivered.push_back(item->id);
        // Remembered as a digest, not as the incident's announcement: a later status change
        // must not overwrite a message that speaks for twenty incidents.
        if (!item->incident_id.empty())
            r.learned.remembered.push_back(
                {item->incident_id, "slack", "digest", posted, ts, r.learned.at});
    }
    return r;
}

DeliveryResult SlackDeliverer::post(Op& op, const OutboxItem& item, const nlohmann::json& p) {
    std::string channel = str(p, "channel");
    if (channel == "@incident") {
        const auto ch = chat_.channel_of(item.incident_id, "slack");
        if (!ch) return DeliveryResult::failed("the incident has no Slack channel");
        channel = ch->channel_id;
    }
    if (in_shared_channel_queue(item) && !item.incident_id.empty() &&
        clock_.now_ms() < item.created_at + kWaitForChannelMs &&
        !chat_.channel_of(item.incident_id, "slack"))
        return DeliveryResult::throttled("waiting for the incident channel to link to",
                                         clock_.now_ms() + 1000);
    std::string error;
    const auto m = message_of(p, item.incident_id, error);
    if (!m) return DeliveryResult::failed(error);
    const BlockKitMessage bk = render_blocks(*m);
    ApiResponse a;
    if (auto retry = call(op, "chat.postMessage", channel,
                          {{"channel", channel}, {"text", bk.text}, {"blocks", bk.blocks}}, a))
        return *retry;
    if (!a.ok()) return permanent(item, p, "post the " + item.kind + " to " + channel, a.error());
    const std::string ts = str(a.body, "ts");
    const std::string posted_channel =
        str(a.body, "channel").empty() ? channel : str(a.body, "channel");
    DeliveryResult r = delivered(posted_channel + "/" + ts);
    const std::string purpose = str(p, "remember");
    if (!purpose.empty() && !item.incident_id.empty()) {
        r.learned.at = clock_.now_ms();
        r.learned.remembered.push_back(
            {item.incident_id, "slack", purpose, posted_channel, ts, r.learned.at});
    }
    return r;
}

DeliveryResult SlackDeliverer::update(Op& op, const OutboxItem& item, const nlohmann::json& p) {
    std::vector<RememberedMessage> targets;
    for (const std::string& purpose : {str(p, "purpose"), str(p, "also")})
        if (!purpose.empty())
            for (const auto& msg : chat_.messages(item.incident_id, "slack", purpose))
                targets.push_back(msg);
    if (targets.empty()) return delivered("nothing to update");
    std::string error;
    const auto m = message_of(p, item.incident_id, error);
    if (!m) return DeliveryResult::failed(error);
    const BlockKitMessage bk = render_blocks(*m);
    if (auto held = reserve(op, "chat.update", static_cast<int>(targets.size()))) return *held;
    int updated = 0;
    for (const auto& msg : targets) {
        ApiResponse a;
        if (auto retry = call(op, "chat.update", "",
                              {{"channel", msg.channel},
                               {"ts", msg.ts},
                               {"text", bk.text},
                               {"blocks", bk.blocks}},
                              a))
            return *retry;
        if (!a.ok()) return permanent(item, p, "update the " + str(p, "purpose"), a.error());
        ++updated;
    }
    return delivered("updated " + std::to_string(updated));
}

DeliveryResult SlackDeliverer::respond(const OutboxItem&, const nlohmann::json& p) {
    // The text is plain (it may quote a title): escaped here, once, within Slack's 4,000.
    const std::string channel = str(p, "channel_id");
    const std::string link = channel.empty() ? "" : " <#" + escape_mrkdwn(channel) + ">";
    const ApiResponse a = respond_(
        str(p, "response_url"),
        {{"response_type", json_bool(p, "in_channel", false) ? "in_channel" : "ephemeral"},
         {"text", cut_and_escape(str(p, "text"), 4000 - utf8_length(link), escape_mrkdwn) + link}});
    if (a.http_status >= 200 && a.http_status < 300) return delivered("responded");
    if (a.http_status == 0 || a.http_status >= 500 || a.http_status == 429)
        return DeliveryResult::later("response_url: " + a.error());
    // 404/410: the response_url expired (30 minutes, 5 uses); there is nobody left to tell.
    return DeliveryResult::failed("response_url: " + a.error());
}

DeliveryResult SlackDeliverer::copy_to_timeline(Op& op, const OutboxItem& item,
                                                const nlohmann::json& p) {
    const std::string channel = str(p, "channel"), ts = str(p, "ts");
    ApiResponse a;
    if (auto retry =
            call(op, "conversations.history", "",
                 {{"channel", channel}, {"latest", ts}, {"inclusive", true}, {"limit", 1}}, a))
        return *retry;
    if (!a.ok())
        return permanent(item, nlohmann::json::object(), "read the pinned message", a.error());
    const auto* msgs = json_array(a.body, "messages");
    if (!msgs || msgs->empty() || !(*msgs)[0].is_object())
        return DeliveryResult::failed("message not found");
    // Slack's text is mrkdwn-escaped: decoded once, here, where it enters Muster.
    TimelineEvent e;
    e.incident_id = item.incident_id;
    e.at = json_int(p, "at").value_or(clock_.now_ms());
    e.type = "pinned_message";
    e.actor = str(p, "actor");
    e.source = "slack";
    e.text = sanitize_text(decode_text(str((*msgs)[0], "text")), true);
    e.data = dump({{"author", str((*msgs)[0], "user")},
                   {"channel", channel},
                   {"ts", ts},
                   {"via", str(p, "kind")}});
    DeliveryResult r = delivered("copied");
    r.learned.at = clock_.now_ms();
    r.learned.timeline.push_back(e);
    return r;
}

}  // namespace muster::slack
