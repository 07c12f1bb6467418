// The route of Alertmanager's webhook (install_alertmanager, declared in webhook.h).
#include <spdlog/spdlog.h>

#include "bot/runtime/alert_runner.h"
#include "bot/server/router.h"
#include "integrations/alertmanager/webhook.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::alertmanager {

void install_alertmanager(PluginContext& ctx) {
    if (!ctx.router || !ctx.alerts) return;
    const Config* config = &ctx.config;
    const Clock* clock = &ctx.clock;
    AlertRunner* runner = ctx.alerts;
    if (config->alertmanager.bearer_token.empty())
        spdlog::warn("alertmanager.bearer_token is not set: /webhooks/alertmanager answers 401");
    ctx.router->add("POST", "/webhooks/alertmanager",
                    [config, clock, runner](HttpRequest&& req, Responder respond) {
                        if (!webhooks::bearer_ok(req, config->alertmanager.bearer_token))
                            return respond(webhooks::unauthorized(
                                req, "missing or wrong bearer token (alertmanager.bearer_token)"));
                        auto read =
                            read_alert_notification(req.body, "alertmanager", "4", clock->now_ms());
                        if (const auto* bad = std::get_if<NotificationError>(&read))
                            return respond(webhooks::bad_request(bad->reason));
                        runner->group(std::get<AlertGroup>(read), {},
                                      [respond](AlertOutcome o) { respond(webhooks::answer(o)); });
                    });
}

}  // namespace muster::alertmanager
