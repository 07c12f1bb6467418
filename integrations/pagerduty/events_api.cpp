#include "integrations/pagerduty/events_api.h"

#include "bot/message.h"
#include "bot/text.h"
#include "storage/incident_store.h"

namespace muster::pagerduty {

std::string severity_for(const std::string& s) {
    if (s == "P0") return "critical";
    if (s == "P1") return "error";
    if (s == "P2") return "warning";
    return "info";
}

std::string dedup_key(const std::string& incident_id, const std::string& contact) {
    return "muster:" + incident_id + ":" + contact;
}

nlohmann::json trigger(const std::string& routing_key, const std::string& key,
                       const std::string& summary, const std::string& severity,
                       const nlohmann::json& details, const std::string& link) {
    nlohmann::json body = {{"routing_key", routing_key},
                           {"event_action", "trigger"},
                           {"dedup_key", key},
                           {"payload",
                            {{"summary", truncate_chars(summary, 1024)},  // PROTOCOLS §6: ≤ 1024
                             {"source", "muster"},
                             {"severity", severity},
                             {"component", "incident"},
                             {"custom_details", details}}}};
    if (!link.empty()) body["links"] = {{{"href", link}, {"text", "Incident channel"}}};
    return body;
}

nlohmann::json follow_up(const std::string& routing_key, const std::string& key,
                         const std::string& action) {
    return {{"routing_key", routing_key}, {"event_action", action}, {"dedup_key", key}};
}

std::string slack_channel_link(const std::string& channel_id) {
    return "https://slack.com/app_redirect?channel=" + channel_id;
}

DeliveryResult EventsDeliverer::deliver(const OutboxItem& item) {
    nlohmann::json p = nlohmann::json::parse(item.payload, nullptr, false);
    if (!p.is_object() || !p.contains("body") || !p["body"].is_object())
        return DeliveryResult::failed("unreadable payload");
    nlohmann::json& body = p["body"];
    if (channel_ && body.value("event_action", "") == "trigger" && !item.incident_id.empty() &&
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
    const std::string action = body.value("event_action", "");
    const std::string who = p.value("contact", "");
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
        DeliveryResult r =
            DeliveryResult::ok(a.body.is_object() ? a.body.value("dedup_key", "") : "");
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
    const std::string why = a.body.is_object() ? a.body.value("message", a.error()) : a.error();
    DeliveryResult r =
        DeliveryResult::failed("PagerDuty " + std::to_string(a.http_status) + ": " + why);
    r.record =
        timeline("page_failed", "PagerDuty refused the " + action + " for " + who + ": " + why);
    return r;
}

}  // namespace muster::pagerduty
