#include "integrations/pagerduty/events_api.h"

#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"

namespace muster::pagerduty {

namespace {
// PROTOCOLS §6: summary ≤ 1024 characters, dedup_key ≤ 255, the whole event ≤ 512 KB.
constexpr std::size_t kSummaryChars = 1024;
constexpr std::size_t kDedupKeyChars = 255;
constexpr std::size_t kFieldChars = 255;  // source, component: short by nature
constexpr std::size_t kEventBytes = 512 * 1024;
constexpr std::size_t kDetailChars = 4000;  // each custom_details string, when the event is big

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Cuts every string in custom_details to `limit` characters (recursively, arrays and objects).
void cut_strings(nlohmann::json& j, std::size_t limit) {
    if (j.is_string())
        j = truncate_chars(j.get<std::string>(), limit);
    else if (j.is_structured())
        for (auto& v : j) cut_strings(v, limit);
}

std::string checked_dedup_key(const std::string& key) {
    // check-config keeps contact keys short enough; this only guards against a future slip.
    return key.size() <= kDedupKeyChars ? key : key.substr(0, kDedupKeyChars);
}

// One ordered queue per (incident, contact): a contact's trigger and its acknowledge stay in
// order, and one routing key being throttled (429) never holds back another level's page.
std::string queue_of(const std::string& incident, const std::string& contact) {
    return "pagerduty:" + incident + ":" + contact;
}
}  // namespace

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
    if (dump(body).size() > kEventBytes) {
        cut_strings(body["payload"]["custom_details"], kDetailChars);
        if (dump(body).size() > kEventBytes)
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

void PagerDutyPaging::plan_page(const PageContact& page, EpochMs,
                                std::vector<QueuedOp>& out) const {
    const Incident& inc = page.incident;
    const SeverityDef* sev = config_.severity(inc.severity);
    QueuedOp op;
    op.incident_id = inc.id;
    op.destination = "pagerduty";
    op.queue = queue_of(inc.id, page.contact.key);
    op.kind = "page";
    op.priority = kPagePriority;
    op.payload = dump({{"contact", page.contact.key},
                       {"body", trigger(page.contact.pagerduty_routing_key, page.dedup_key,
                                        "[" + inc.severity + (sev ? " " + sev->name : "") + "] " +
                                            inc.id + ": " + inc.title,
                                        sev ? sev->pagerduty_severity : "info",
                                        {{"incident_id", inc.id},
                                         {"title", inc.title},
                                         {"severity", inc.severity},
                                         {"status", status_name(inc.status)},
                                         {"level", page.level},
                                         {"attempt", page.attempt},
                                         {"channel", inc.channel}},
                                        "")}});
    out.push_back(std::move(op));
}

void PagerDutyPaging::plan_follow_up(const PageFollowUp& f, const std::string& source, EpochMs,
                                     std::vector<QueuedOp>& out) const {
    if (source == "pagerduty") return;  // PagerDuty told us: nothing to tell it back
    QueuedOp op;
    op.incident_id = f.incident_id;
    op.destination = "pagerduty";
    op.queue = queue_of(f.incident_id, f.contact.key);  // behind the contact's triggers
    op.kind = "pagerduty_" + f.action;
    op.priority = kPagePriority;
    op.payload =
        dump({{"contact", f.contact.key},
              {"body", follow_up(f.contact.pagerduty_routing_key, f.dedup_key, f.action)}});
    out.push_back(std::move(op));
}

DeliveryResult EventsDeliverer::deliver(const OutboxItem& item) {
    auto parsed = parse_untrusted_json(item.payload);
    if (!parsed || !json_object(*parsed, "body"))
        return DeliveryResult::failed("unreadable payload");
    nlohmann::json& p = *parsed;
    nlohmann::json& body = p["body"];
    if (chat_ && json_string(body, "event_action") == "trigger" && !item.incident_id.empty() &&
        !body.contains("links")) {
        std::optional<ChannelBinding> ch;
        try {
            ch = chat_->channel_of(item.incident_id, "slack");
        } catch (const std::exception&) {
            // Without the link the page is still a page.
        }
        if (ch && !ch->channel_id.empty()) {
            body["payload"]["custom_details"]["channel"] = "#" + ch->name;
            body["links"] = nlohmann::json::array(
                {{{"href", slack_channel_link(ch->channel_id)}, {"text", "Slack #" + ch->name}}});
        }
    }
    const http::ApiResponse a = post_(body);
    const std::string action = json_string(body, "event_action");
    const std::string who = json_string(p, "contact");
    const std::string incident = item.incident_id;
    const EpochMs now = clock_.now_ms();
    auto note = [&](DeliveryResult& r, const std::string& type, const std::string& text) {
        if (incident.empty()) return;
        TimelineEvent e;
        e.incident_id = incident;
        e.at = now;
        e.type = type;
        e.actor = who;
        e.source = "pagerduty";
        e.text = text;
        e.data = dump({{"contact", who}, {"event_action", action}});
        r.learned.at = now;
        r.learned.timeline.push_back(e);
    };
    if (a.http_status == 202 || a.http_status == 200) {
        DeliveryResult r = DeliveryResult::ok(json_string(a.body, "dedup_key"));
        if (action == "trigger")
            note(r, "page_delivered", "PagerDuty accepted the page for " + who);
        return r;
    }
    if (a.http_status == 0 || a.http_status == 429 || a.http_status >= 500) {
        DeliveryResult r = DeliveryResult::later(
            "PagerDuty: " + a.error(), a.retry_after_s
                                           ? std::optional<EpochMs>(now + 1000LL * *a.retry_after_s)
                                           : std::nullopt);
        if (item.attempts == 0)
            note(r, "page_retrying",
                 "PagerDuty did not take the " + action + " yet (" + a.error() + "); retrying");
        return r;
    }
    // 400 "invalid event" and other 4xx: retrying cannot help.
    const std::string why =
        json_string(a.body, "message").empty() ? a.error() : json_string(a.body, "message");
    DeliveryResult r =
        DeliveryResult::failed("PagerDuty " + std::to_string(a.http_status) + ": " + why);
    note(r, "page_failed", "PagerDuty refused the " + action + " for " + who + ": " + why);
    return r;
}

void install_pagerduty(PluginContext& ctx) {
    if (!ctx.config.pagerduty_configured()) return;
    ctx.dispatch.add(std::make_shared<PagerDutyPaging>(ctx.config));
    if (!ctx.outbox) return;
    http::init_client_threads(4);
    // One long-lived client (and connection pool) for every event.
    std::shared_ptr<http::JsonClient> events =
        http::make_json_client(ctx.config.pagerduty.events_url, {},
                               std::chrono::milliseconds(ctx.config.slack.timeout_ms));
    ctx.outbox->add_deliverer(
        "pagerduty", std::make_shared<EventsDeliverer>(
                         [events](const nlohmann::json& body) { return events->post("", body); },
                         ctx.clock, ctx.config.slack_configured() ? ctx.chat : nullptr));
}

}  // namespace muster::pagerduty
