#include "integrations/webhooks/heartbeat.h"

#include "bot/runtime/alert_runner.h"
#include "bot/server/router.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::webhooks {

namespace {
constexpr const char* kPrefix = "/webhooks/heartbeat/";
}  // namespace

void install_heartbeats(PluginContext& ctx) {
    if (!ctx.router || !ctx.alerts) return;
    const Config* config = &ctx.config;
    AlertRunner* runner = ctx.alerts;
    ctx.router->add_prefix("POST", kPrefix, [config, runner](HttpRequest&& req, Responder respond) {
        const std::string name = req.path.substr(std::string(kPrefix).size());
        const auto it = config->heartbeats.find(name);
        if (it == config->heartbeats.end())
            return respond(text_response(
                404, "no heartbeat named " + one_line(name) + " is configured (heartbeats)\n"));
        const Config::Heartbeat& h = it->second;
        const std::string& token = h.token.empty() ? config->server.api_token : h.token;
        if (!bearer_ok(req, token))
            return respond(
                unauthorized(req, "missing or wrong bearer token for heartbeat " + name));
        runner->beat(h, [respond](AlertOutcome o) { respond(answer(o)); });
    });
}

}  // namespace muster::webhooks
