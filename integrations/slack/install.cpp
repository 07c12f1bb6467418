// Slack's one line of wiring (install_slack, declared in slack_platform.h).
#include <spdlog/spdlog.h>

#include "bot/runtime/intake.h"
#include "bot/runtime/outbox_worker.h"
#include "bot/server/router.h"
#include "integrations/http/json_http.h"
#include "integrations/slack/routes.h"
#include "integrations/slack/slack_deliverer.h"
#include "integrations/slack/slack_platform.h"

namespace muster::slack {

void install_slack(PluginContext& ctx) {
    const Config& cfg = ctx.config;
    if (ctx.router && ctx.intake) {
        // The routes exist without a bot token: slash commands also drive the console.
        Intake* intake = ctx.intake;
        const Clock* clock = &ctx.clock;
        const Config* config = &cfg;
        ctx.router->add("POST", "/slack/commands",
                        [config, clock, intake](HttpRequest&& req, Responder respond) {
                            handle_command(*config, *clock, *intake, req, respond);
                        });
        ctx.router->add("POST", "/slack/interactions",
                        [config, clock, intake](HttpRequest&& req, Responder respond) {
                            handle_interaction(*config, *clock, *intake, req, respond);
                        });
        ctx.router->add("POST", "/slack/events",
                        [config, clock, intake](HttpRequest&& req, Responder respond) {
                            handle_event(*config, *clock, *intake, req, respond);
                        });
        if (cfg.slack.signing_secret.empty())
            spdlog::warn("slack.signing_secret is not set: /slack/* answer 401 to everything");
    }
    if (!cfg.slack_configured()) return;
    ctx.dispatch.add(std::make_shared<SlackChat>(cfg));
    ctx.dispatch.add(std::make_shared<SlackDm>(cfg));
    if (!ctx.outbox || !ctx.chat || !ctx.messages) return;
    http::init_client_threads(4);
    const auto timeout = std::chrono::milliseconds(cfg.slack.timeout_ms);
    ctx.outbox->add_deliverer(
        "slack", std::make_shared<SlackDeliverer>(
                     cfg, make_web_api(cfg.slack.api_url, cfg.slack.bot_token, timeout), ctx.clock,
                     *ctx.chat, *ctx.messages,
                     [timeout](const std::string& url, const nlohmann::json& body) {
                         return http::post_json(url, body, timeout);
                     }));
}

}  // namespace muster::slack
