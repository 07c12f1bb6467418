// The Slack deliverer's messages: posting (and digests of a shared channel's backlog),
// updating in place, answering a response_url, copying a marked message to the timeline.
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
// An announcement links to the incident's channel, which its own queue is creating meanwhile:
// it waits for it this long, then goes out without the link.
constexpr EpochMs kWaitForChannelMs = 10'000;

bool in_shared_channel_queue(const OutboxItem& item) {
    return item.queue.rfind(kSharedChannelQueue, 0) == 0;
}
}  // namespace

int SlackDeliverer::fold_limit(const OutboxItem& head) const {
    if (head.kind == "alerts") return kDigestMax - 1;  // alert updates piled up in a channel
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
    std::string target = channel;
    if (target == "@incident") {  // alert updates piled up in the incident's own channel
        const auto ch = chat_.channel_of(head.incident_id, "slack");
        if (!ch) return deliver(head);
        target = ch->channel_id;
    }
    const BlockKitMessage bk = render_blocks(digest_message(messages));
    Op op;
    ApiResponse a;
    if (auto retry = call(op, "chat.postMessage", target,
                          {{"channel", target}, {"text", bk.text}, {"blocks", bk.blocks}}, a))
        return *retry;
    if (!a.ok())
        return permanent(head, *first,
                         "post a digest of " + std::to_string(covered.size()) + " " + head.kind +
                             " messages to " + target,
                         a.error());
    const std::string ts = str(a.body, "ts");
    const std::string posted = str(a.body, "channel").empty() ? target : str(a.body, "channel");
    DeliveryResult r =
        delivered("digest of " + std::to_string(covered.size()) + ": " + posted + "/" + ts);
    r.learned.at = clock_.now_ms();
    for (const OutboxItem* item : covered) {
        if (item != &head) r.also_delivered.push_back(item->id);
        if (head.kind == "alerts") continue;
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
