#include "integrations/slack/slack_deliverer.h"

#include <SQLiteCpp/Statement.h>

#include <set>

#include "bot/channel_name.h"
#include "bot/message.h"
#include "bot/text.h"
#include "bot/untrusted_json.h"
#include "integrations/slack/block_kit.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/mrkdwn.h"
#include "storage/outbox_store.h"

namespace muster::slack {

namespace {

using Kind = DeliveryResult::Kind;

DeliveryResult delivered(std::string detail) {
    return DeliveryResult::ok(std::move(detail));
}

std::string str(const nlohmann::json& p, const char* key) {
    return json_string(p, key);
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

}  // namespace

bool is_transient(const std::string& error) {
    static const std::set<std::string> transient = {"ratelimited",     "internal_error",
                                                    "fatal_error",     "service_unavailable",
                                                    "request_timeout", "team_added_to_org"};
    return transient.count(error) > 0;
}

SlackDeliverer::SlackDeliverer(WebApi& api, const Clock& clock, Lookups lookups,
                               ResponsePoster respond)
    : api_(api), clock_(clock), lookups_(std::move(lookups)), respond_(std::move(respond)) {}

std::optional<DeliveryResult> SlackDeliverer::reserve(const std::string& method, int count) {
    reserved_[method] = 0;
    const EpochMs now = clock_.now_ms();
    if (const EpochMs wait = limits_.acquire(method, "", now, count); wait > 0)
        return DeliveryResult::throttled("holding " + method + " within Slack's rate limit",
                                         now + wait);
    reserved_[method] = count;
    return std::nullopt;
}

std::optional<DeliveryResult> SlackDeliverer::call(const std::string& method,
                                                   const std::string& channel,
                                                   const nlohmann::json& args, ApiResponse& out) {
    const EpochMs now = clock_.now_ms();
    if (reserved_[method] > 0) {
        --reserved_[method];  // counted already by reserve()
    } else if (const EpochMs wait = limits_.acquire(method, channel, now); wait > 0) {
        return DeliveryResult::throttled("holding " + method + " within Slack's rate limit",
                                         now + wait);
    }
    out = api_.call(method, args);
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
    r.record = [incident, url, what, error, now](SQLite::Database& db) {
        if (incident.empty()) return;
        append_timeline(
            db, slack_event(incident, now, "slack_error", "Could not " + what + ": " + error));
        if (url.empty()) return;
        // Someone typed the command and is waiting to hear how it went.
        enqueue_outbox(db, incident, "slack", "slack:respond:" + incident, "response",
                       dump_json({{"op", "respond"},
                                  {"response_url", url},
                                  {"text", "⚠️ " + incident + ": Muster could not " + what +
                                               " in Slack (" + error +
                                               "). The incident itself is recorded."}}),
                       now);
    };
    return r;
}

DeliveryResult SlackDeliverer::deliver(const OutboxItem& item) {
    reserved_.clear();  // reservations belong to one operation
    const auto parsed = parse_untrusted_json(item.payload);
    if (!parsed || !parsed->is_object()) return DeliveryResult::failed("unreadable payload");
    const nlohmann::json& p = *parsed;
    const std::string op = str(p, "op");
    if (op == "create_channel") return create_channel(item, p);
    if (op == "post") return post(item, p);
    if (op == "update") return update(item, p);
    if (op == "respond") return respond(item, p);
    if (op == "copy_to_timeline") return copy_to_timeline(item, p);
    if (op == "invite" || op == "set_topic" || op == "pin") {
        const auto channel = lookups_.incident_channel(item.incident_id);
        // The channel's creation failed and is on the timeline already: say nothing more there.
        if (!channel) return DeliveryResult::failed("the incident has no Slack channel");
        if (op == "invite") return invite(item, p, *channel);
        if (op == "set_topic") return set_topic(item, p, *channel);
        const auto msgs = lookups_.messages(item.incident_id, str(p, "purpose"));
        if (msgs.empty()) return DeliveryResult::failed("nothing to pin");
        ApiResponse a;
        if (auto retry = call("pins.add", msgs[0].channel,
                              {{"channel", msgs[0].channel}, {"timestamp", msgs[0].ts}}, a))
            return *retry;
        if (a.ok() || a.error() == "already_pinned") return delivered("pinned " + msgs[0].ts);
        return permanent(item, p, "pin the " + str(p, "purpose"), a.error());
    }
    return DeliveryResult::failed("unknown operation '" + op + "'");
}

DeliveryResult SlackDeliverer::create_channel(const OutboxItem& item, const nlohmann::json& p) {
    const std::string base = str(p, "name");
    // Start after the last number this base name had (remembered here for a burst, and in the
    // database across restarts), so the N-th declaration with one title costs one call, not N.
    int& next = next_suffix_[base];
    if (next < 1) next = 1;
    if (lookups_.last_suffix) {
        try {
            next = std::max(next, lookups_.last_suffix(base) + 1);
        } catch (const std::exception&) {
            // Without it we only probe more.
        }
    }
    const int first = next;
    for (int k = first; k < first + 50; ++k) {
        next = k;
        std::string name = k == 1 ? base : numbered(base, k);
        const auto* from = json_object(p, "name_from");
        if (k > 1 && from)
            name =
                channel_name({str(*from, "pattern"), str(*from, "title"), str(*from, "id"),
                              str(*from, "severity"), json_int(*from, "declared_at").value_or(0)},
                             k);
        ApiResponse a;
        if (auto retry =
                call("conversations.create", "",
                     {{"name", name}, {"is_private", json_bool(p, "is_private", false)}}, a))
            return *retry;
        if (a.ok()) {
            next = k + 1;
            const auto* ch = json_object(a.body, "channel");
            const std::string id = ch ? str(*ch, "id") : "";
            if (id.empty()) return permanent(item, p, "create channel #" + name, "no channel id");
            const std::string incident = item.incident_id;
            const std::string url = str(p, "response_url");
            const EpochMs now = clock_.now_ms();
            DeliveryResult r = delivered(id);
            r.record = [incident, id, name, base, k, url, now](SQLite::Database& db) {
                bind_channel(db, id, incident, "slack", name, now);
                record_channel_suffix(db, "slack", base, k);
                SQLite::Statement st(db, "UPDATE incidents SET channel = ? WHERE id = ?");
                st.bind(1, "#" + name);
                st.bind(2, incident);
                st.exec();
                TimelineEvent e = slack_event(incident, now, "channel_created", "");
                e.field = "channel";
                e.old_value = "";
                e.new_value = "#" + name;
                e.data = dump_json({{"channel_id", id}});
                append_timeline(db, e);
                if (url.empty()) return;
                // The declaration's answer could not name the channel (the name might be taken);
                // now it exists, the conversation where it was declared gets the link.
                enqueue_outbox(db, incident, "slack", "slack:respond:" + incident, "response",
                               dump_json({{"op", "respond"},
                                          {"response_url", url},
                                          {"in_channel", true},
                                          {"text", incident + " has its channel:"},
                                          {"channel_id", id}}),
                               now);
            };
            return r;
        }
        // Never reuse an existing channel: pick the next free name.
        if (a.error() != "name_taken")
            return permanent(item, p, "create channel #" + name, a.error());
    }
    return permanent(item, p, "create channel #" + base, "name_taken 50 times");
}

DeliveryResult SlackDeliverer::invite(const OutboxItem& item, const nlohmann::json& p,
                                      const std::string& channel) {
    std::vector<std::pair<std::string, std::string>> refused;
    std::set<std::string> seen;
    int calls = 0;
    const nlohmann::json users =
        json_array(p, "users") ? *json_array(p, "users") : nlohmann::json::array();
    for (const auto& u : users)
        if (u.is_string() && !u.get<std::string>().empty() && u.get<std::string>()[0] != '@')
            ++calls;
    if (calls > 0)
        if (auto held = reserve("conversations.invite", calls)) return *held;
    for (const auto& u : users) {
        if (!u.is_string() || u.get<std::string>().empty() ||
            !seen.insert(u.get<std::string>()).second)
            continue;
        const std::string user = u.get<std::string>();
        if (user[0] == '@') continue;  // a name typed by hand, not a user id: nothing to invite
        ApiResponse a;
        if (auto retry =
                call("conversations.invite", "", {{"channel", channel}, {"users", user}}, a))
            return *retry;
        const std::string e = a.ok() ? "" : a.error();
        if (e.empty() || e == "already_in_channel" || e == "cant_invite_self") continue;
        refused.emplace_back(user, e);
    }
    DeliveryResult r = delivered("invited");
    if (!refused.empty()) {
        const std::string incident = item.incident_id;
        const EpochMs now = clock_.now_ms();
        r.record = [incident, refused, now](SQLite::Database& db) {
            for (const auto& [user, error] : refused) {
                TimelineEvent e = slack_event(incident, now, "invite_failed",
                                              "Could not invite @" + user + ": " + error);
                e.data = dump_json({{"user", user}, {"error", error}});
                append_timeline(db, e);
            }
        };
    }
    return r;
}

DeliveryResult SlackDeliverer::set_topic(const OutboxItem& item, const nlohmann::json& p,
                                         const std::string& channel) {
    ApiResponse a;
    // Escaped when the topic was made (it mixes a mention with the title); cut here only if a
    // queued row predates the cut at the source.
    const std::string topic = truncate_chars(str(p, "topic"), 250);
    if (auto retry =
            call("conversations.setTopic", "", {{"channel", channel}, {"topic", topic}}, a))
        return *retry;
    if (a.ok()) return delivered("topic set");
    return permanent(item, p, "set the channel topic", a.error());
}

DeliveryResult SlackDeliverer::post(const OutboxItem& item, const nlohmann::json& p) {
    std::string channel = str(p, "channel");
    const auto incident_channel = lookups_.incident_channel(item.incident_id);
    if (channel == "@incident") {
        if (!incident_channel) return DeliveryResult::failed("the incident has no Slack channel");
        channel = *incident_channel;
    }
    Message m;
    try {
        m = message_from_json(p.at("message"));
    } catch (const std::exception& e) {
        return DeliveryResult::failed(std::string("unreadable message: ") + e.what());
    }
    for (auto& f : m.fields)
        if (f.channel == "@incident") f.channel = incident_channel.value_or("");
    const BlockKitMessage bk = render_blocks(m);
    ApiResponse a;
    if (auto retry = call("chat.postMessage", channel,
                          {{"channel", channel}, {"text", bk.text}, {"blocks", bk.blocks}}, a))
        return *retry;
    if (!a.ok()) return permanent(item, p, "post the " + item.kind + " to " + channel, a.error());
    const std::string ts = str(a.body, "ts");
    const std::string posted_channel =
        str(a.body, "channel").empty() ? channel : str(a.body, "channel");
    DeliveryResult r = delivered(posted_channel + "/" + ts);
    const std::string purpose = str(p, "remember");
    if (!purpose.empty() && !item.incident_id.empty()) {
        const std::string incident = item.incident_id;
        const EpochMs now = clock_.now_ms();
        r.record = [incident, purpose, posted_channel, ts, now](SQLite::Database& db) {
            remember_message(db, incident, "slack", purpose, {posted_channel, ts}, now);
        };
    }
    return r;
}

DeliveryResult SlackDeliverer::update(const OutboxItem& item, const nlohmann::json& p) {
    Message m;
    try {
        m = message_from_json(p.at("message"));
    } catch (const std::exception& e) {
        return DeliveryResult::failed(std::string("unreadable message: ") + e.what());
    }
    const auto incident_channel = lookups_.incident_channel(item.incident_id);
    for (auto& f : m.fields)
        if (f.channel == "@incident") f.channel = incident_channel.value_or("");
    const BlockKitMessage bk = render_blocks(m);
    std::vector<ChatMessage> targets;
    for (const std::string& purpose : {str(p, "purpose"), str(p, "also")})
        if (!purpose.empty())
            for (const auto& msg : lookups_.messages(item.incident_id, purpose))
                targets.push_back(msg);
    if (targets.empty()) return delivered("nothing to update");
    if (auto held = reserve("chat.update", static_cast<int>(targets.size()))) return *held;
    int updated = 0;
    for (const auto& msg : targets) {
        ApiResponse a;
        if (auto retry = call("chat.update", "",
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

DeliveryResult SlackDeliverer::copy_to_timeline(const OutboxItem& item, const nlohmann::json& p) {
    const std::string channel = str(p, "channel"), ts = str(p, "ts");
    ApiResponse a;
    if (auto retry =
            call("conversations.history", "",
                 {{"channel", channel}, {"latest", ts}, {"inclusive", true}, {"limit", 1}}, a))
        return *retry;
    if (!a.ok())
        return permanent(item, nlohmann::json::object(), "read the pinned message", a.error());
    const auto* msgs = json_array(a.body, "messages");
    if (!msgs || msgs->empty() || !(*msgs)[0].is_object())
        return DeliveryResult::failed("message not found");
    // Slack's text is mrkdwn-escaped: decoded once, here, where it enters Muster.
    const std::string text = sanitize_text(decode_text(str((*msgs)[0], "text")), true);
    const std::string author = str((*msgs)[0], "user");
    const std::string incident = item.incident_id, actor = str(p, "actor"), kind = str(p, "kind");
    const EpochMs at = json_int(p, "at").value_or(clock_.now_ms());
    DeliveryResult r = delivered("copied");
    r.record = [incident, actor, kind, text, author, channel, ts, at](SQLite::Database& db) {
        TimelineEvent e;
        e.incident_id = incident;
        e.at = at;
        e.type = "pinned_message";
        e.actor = actor;
        e.source = "slack";
        e.text = text;
        e.data = dump_json({{"author", author}, {"channel", channel}, {"ts", ts}, {"via", kind}});
        append_timeline(db, e);
    };
    return r;
}

}  // namespace muster::slack
