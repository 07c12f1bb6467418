// The route of PagerDuty's webhooks (install_pagerduty_webhooks, declared in webhooks.h).
#include <spdlog/spdlog.h>

#include "bot/runtime/alert_runner.h"
#include "bot/server/router.h"
#include "integrations/pagerduty/webhooks.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::pagerduty {

void install_pagerduty_webhooks(PluginContext& ctx) {
    if (!ctx.router || !ctx.alerts) return;
    const Config* config = &ctx.config;
    const Clock* clock = &ctx.clock;
    AlertRunner* runner = ctx.alerts;
    if (config->pagerduty.webhook_secrets.empty())
        spdlog::warn("pagerduty.webhook_secrets is not set: /webhooks/pagerduty answers 401");
    ctx.router->add(
        "POST", "/webhooks/pagerduty",
        [config, clock, runner](HttpRequest&& req, Responder respond) {
            switch (check_signature(config->pagerduty.webhook_secrets,
                                    req.header("x-pagerduty-signature"), req.body)) {
                case WebhookSignature::ok:
                    break;
                case WebhookSignature::missing:
                    return respond(webhooks::unauthorized(req, "missing X-PagerDuty-Signature"));
                case WebhookSignature::malformed:
                    return respond(webhooks::unauthorized(req, "malformed X-PagerDuty-Signature"));
                case WebhookSignature::mismatch:
                    return respond(webhooks::unauthorized(req, "invalid X-PagerDuty-Signature"));
            }
            auto read = read_webhook(*config, req.body, clock->now_ms());
            if (const auto* bad = std::get_if<WebhookError>(&read))
                return respond(webhooks::bad_request(bad->reason));
            const auto& ev = std::get<WebhookEvent>(read);
            std::vector<DedupeKey> keys = {{"pagerduty_event", ev.id, ev.type, 0}};
            const std::string delivery = req.header("x-webhook-id");
            if (!delivery.empty() && delivery.size() <= 200)
                keys.push_back({"pagerduty_webhook", delivery, ev.type, 0});
            auto done = [respond](AlertOutcome o) { respond(webhooks::answer(o)); };
            if (ev.type == "pagey.ping") return respond(webhooks::answer(AlertOutcome::recorded));
            if (ev.opened) return runner->group(*ev.opened, keys, done);
            if (ev.action) {
                if (!ev.own_incident.empty())
                    return runner->link_own(*ev.action, ev.own_incident, keys, done);
                return runner->action(*ev.action, keys, done);
            }
            spdlog::info("pagerduty: {} recorded (not an incident event Muster acts on)", ev.type);
            runner->record(keys, done);
        });
}

}  // namespace muster::pagerduty
