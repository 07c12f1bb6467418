#include "integrations/pagerduty/events_api.h"

#include "bot/message.h"
#include "bot/text.h"
#include "bot/untrusted_json.h"
#include "storage/incident_store.h"

namespace muster::pagerduty {

std::string dedup_key(const std::string& incident_id, const std::string& contact) {
    return "muster:" + incident_id + ":" + contact;
}

namespace {
// PROTOCOLS §6: summary ≤ 1024 characters, dedup_key ≤ 255, the whole event ≤ 512 KB.
constexpr std::size_t kSummaryChars = 1024;
constexpr std::size_t kDedupKeyChars = 255;
constexpr std::size_t kFieldChars = 255;  // source, component: short by nature
constexpr std::size_t kEventBytes = 512 * 1024;
constexpr std::size_t kDetailChars = 4000;  // each custom_details string, when the event is big

// Cuts every string in custom_details to `limit` characters (recursively, arrays and objects).
void cut_strings(nlohmann::json& j, std::size_t limit) {
    if (j.is_string())
        j = truncate_chars(j.get<std::string>(), limit);
    else if (j.is_structured())
        for (auto& v : j) cut_strings(v, limit);
}
}  // namespace

std::string checked_dedup_key(const std::string& key) {
    // check-config keeps contact keys short enough; this only guards against a future slip.
    return key.size() <= kDedupKeyChars ? key : key.substr(0, kDedupKeyChars);
}

nlohmann::json trigger(const std::string& routing_key, const std::string& key,
                       const std::string& summary, const std::string& severity,
                       const nlohmann::json& details, const std::string& link) {
    nlohmann::json body = {{"routing_key", routing_key},
                           {"event_action", "trigger"},
                           {"dedup_key", checked_dedup_key(key)},
                           {"payload",
                            {{"summary", truncate_chars(summary, kSummaryChars)},
                             {"source", truncate_chars("muster", kFieldChars)},
                             {"severity", severity},
                             {"component", "incident"},
                             {"custom_details", details}}}};
    if (!link.empty()) body["links"] = {{{"href", link}, {"text", "Incident channel"}}};
    if (dump_json(body).size() > kEventBytes) {
        cut_strings(body["payload"]["custom_details"], kDetailChars);
        if (dump_json(body).size() > kEventBytes)
            body["payload"]["custom_details"] = {{"note", "details too large for PagerDuty"}};
    }
    return body;
}

nlohmann::json follow_up(const std::string& routing_key, const std::string& key,
                         const std::string& action) {
    return {{"routing_key", routing_key},
            {"event_action", action},
            {"dedup_key", checked_dedup_key(key)}};
}

std::string slack_channel_link(const std::string& channel_id) {
    return "https://slack.com/app_redirect?channel=" + channel_id;
}

DeliveryResult EventsDeliverer::deliver(const OutboxItem& item) {
    auto parsed = parse_untrusted_json(item.payload);
    if (!parsed || !json_object(*parsed, "body"))
        return DeliveryResult::failed("unreadable payload");
    nlohmann::json& p = *parsed;
    nlohmann::json& body = p["body"];
    if (channel_ && json_string(body, "event_action") == "trigger" && !item.incident_id.empty() &&
        !body.contains("links")) {
        std::optional<ChannelRef> ch;
        try {
            ch = channel_(item.incident_id);
        } catch (const std::exception&) {
            // Without the link the page is still a page.
        }
        if (ch && !ch->id.empty()) {
            body["payload"]["custom_details"]["channel"] = ch->name;
            body["links"] = nlohmann::json::array(
                {{{"href", slack_channel_link(ch->id)}, {"text", "Slack " + ch->name}}});
        }
    }
    const slack::ApiResponse a = post_(url_, body);
    const std::string action = json_string(body, "event_action");
    const std::string who = json_string(p, "contact");
    const std::string incident = item.incident_id;
    const EpochMs now = clock_.now_ms();
    auto timeline = [incident, who, action, now](const std::string& type, const std::string& text) {
        return [incident, who, action, now, type, text](SQLite::Database& db) {
            if (incident.empty()) return;
            TimelineEvent e;
            e.incident_id = incident;
            e.at = now;
            e.type = type;
            e.actor = who;
            e.source = "pagerduty";
            e.text = text;
            e.data = dump_json({{"contact", who}, {"event_action", action}});
            append_timeline(db, e);
        };
    };
    if (a.http_status == 202 || a.http_status == 200) {
        DeliveryResult r = DeliveryResult::ok(json_string(a.body, "dedup_key"));
        if (action == "trigger")
            r.record = timeline("page_delivered", "PagerDuty accepted the page for " + who);
        return r;
    }
    if (a.http_status == 0 || a.http_status == 429 || a.http_status >= 500) {
        DeliveryResult r = DeliveryResult::later(
            "PagerDuty: " + a.error(), a.retry_after_s
                                           ? std::optional<EpochMs>(now + 1000LL * *a.retry_after_s)
                                           : std::nullopt);
        if (item.attempts == 0)
            r.record = timeline("page_retrying", "PagerDuty did not take the " + action + " yet (" +
                                                     a.error() + "); retrying");
        return r;
    }
    // 400 "invalid event" and other 4xx: retrying cannot help.
    const std::string why =
        json_string(a.body, "message").empty() ? a.error() : json_string(a.body, "message");
    DeliveryResult r =
        DeliveryResult::failed("PagerDuty " + std::to_string(a.http_status) + ": " + why);
    r.record =
        timeline("page_failed", "PagerDuty refused the " + action + " for " + who + ": " + why);
    return r;
}

}  // namespace muster::pagerduty
