#include "integrations/pagerduty/rest_sync.h"

#include "bot/domain/untrusted_json.h"

namespace muster::pagerduty {

void PagerDutySync::plan(const Notification& n, const std::string& source, EpochMs,
                         std::vector<QueuedOp>& out) const {
    const auto* sync = std::get_if<SourceSync>(&n);
    if (!sync || sync->source == "pagerduty" || source == "pagerduty") return;  // no echo
    for (const auto& link : links_.links_of(sync->incident_id)) {
        if (link.source != "pagerduty") continue;
        QueuedOp op;
        op.incident_id = sync->incident_id;
        op.destination = "pagerduty_api";
        op.queue =
            "pagerduty_api:" + link.external_id;  // one PagerDuty incident's changes in order
        op.kind = "pagerduty_" + sync->action;
        op.payload = nlohmann::json(
                         {{"id", link.external_id},
                          {"status", sync->action == "acknowledge" ? "acknowledged" : "resolved"}})
                         .dump();
        op.priority = kPagePriority;  // an acknowledgement stops PagerDuty paging people
        out.push_back(std::move(op));
    }
}

DeliveryResult RestDeliverer::deliver(const OutboxItem& item) {
    const auto p = parse_untrusted_json(item.payload);
    const std::string id = p ? json_string(*p, "id") : "";
    const std::string status = p ? json_string(*p, "status") : "";
    if (id.empty() || status.empty()) return DeliveryResult::failed("unreadable payload");
    const http::ApiResponse a = put_(
        "/incidents/" + id, {{"incident", {{"type", "incident_reference"}, {"status", status}}}});
    if (a.http_status >= 200 && a.http_status < 300)
        return DeliveryResult::ok("PagerDuty " + id + " " + status);
    if (a.http_status == 0 || a.http_status == 429 || a.http_status >= 500) {
        std::optional<EpochMs> at;
        if (a.retry_after_s) at = clock_.now_ms() + *a.retry_after_s * 1000LL;
        return DeliveryResult::later(a.error(), at);
    }
    std::string why = "http_" + std::to_string(a.http_status);
    if (const auto* err = json_object(a.body, "error")) {
        const std::string message = json_string(*err, "message");
        if (!message.empty()) why += ": " + message;
        if (const auto* errors = json_array(*err, "errors"))
            for (const auto& e : *errors)
                if (e.is_string()) why += "; " + e.get<std::string>();
    }
    DeliveryResult r = DeliveryResult::failed(why);
    if (!item.incident_id.empty()) {
        TimelineEvent e;
        e.incident_id = item.incident_id;
        e.at = clock_.now_ms();
        e.type = "pagerduty_sync_failed";
        e.actor = "muster";
        e.source = "pagerduty";
        e.text = "PagerDuty incident " + id + " could not be set " + status + ": " + why;
        r.learned.at = e.at;
        r.learned.timeline.push_back(e);
    }
    return r;
}

void install_pagerduty_sync(PluginContext& ctx) {
    const Config& cfg = ctx.config;
    if (cfg.pagerduty.api_token.empty() || !ctx.alert_reads) return;
    ctx.dispatch.add(std::make_shared<PagerDutySync>(*ctx.alert_reads));
    if (!ctx.outbox) return;
    http::init_client_threads(4);
    std::shared_ptr<http::JsonClient> api =
        http::make_json_client(cfg.pagerduty.api_url,
                               {{"Authorization", "Token token=" + cfg.pagerduty.api_token},
                                {"From", cfg.pagerduty.from},
                                {"Accept", "application/vnd.pagerduty+json;version=2"}},
                               std::chrono::milliseconds(cfg.slack.timeout_ms));
    ctx.outbox->add_deliverer("pagerduty_api",
                              std::make_shared<RestDeliverer>(
                                  [api](const std::string& path, const nlohmann::json& body) {
                                      return api->send("PUT", path, body);
                                  },
                                  ctx.clock));
}

}  // namespace muster::pagerduty
