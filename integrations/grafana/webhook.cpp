#include "integrations/grafana/webhook.h"

#include <cstdlib>

#include "bot/runtime/alert_runner.h"
#include "bot/server/router.h"
#include "integrations/alertmanager/webhook.h"
#include "integrations/hmac.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::grafana {

namespace {
std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

std::string refuse(const Config& config, const HttpRequest& req, EpochMs now) {
    const auto& g = config.grafana;
    if (!g.bearer_token.empty() && !webhooks::bearer_ok(req, g.bearer_token))
        return "missing or wrong bearer token (grafana.bearer_token)";
    if (g.hmac_secret.empty()) return "";
    const std::string sig = lower(req.header(lower(g.signature_header)));
    if (sig.empty()) return "missing " + g.signature_header;
    std::string signed_text = req.body;
    if (!g.timestamp_header.empty()) {
        const std::string ts = req.header(lower(g.timestamp_header));
        char* end = nullptr;
        const long long seconds = std::strtoll(ts.c_str(), &end, 10);
        if (ts.empty() || !end || *end != '\0') return "missing or malformed " + g.timestamp_header;
        if (std::llabs(seconds * 1000 - now) > 5 * 60'000)
            return g.timestamp_header + " outside the 5-minute window";
        signed_text = ts + ":" + req.body;
    }
    if (!constant_time_equals(hmac_sha256_hex(g.hmac_secret, signed_text), sig))
        return "invalid " + g.signature_header;
    return "";
}

void install_grafana(PluginContext& ctx) {
    if (!ctx.router || !ctx.alerts) return;
    const Config* config = &ctx.config;
    const Clock* clock = &ctx.clock;
    AlertRunner* runner = ctx.alerts;
    ctx.router->add(
        "POST", "/webhooks/grafana", [config, clock, runner](HttpRequest&& req, Responder respond) {
            if (config->grafana.bearer_token.empty() && config->grafana.hmac_secret.empty())
                return respond(webhooks::unauthorized(
                    req,
                    "grafana is not configured (grafana.hmac_secret or grafana.bearer_token)"));
            if (const std::string why = refuse(*config, req, clock->now_ms()); !why.empty())
                return respond(webhooks::unauthorized(req, why));
            auto read =
                alertmanager::read_alert_notification(req.body, "grafana", "1", clock->now_ms());
            if (const auto* bad = std::get_if<alertmanager::NotificationError>(&read))
                return respond(webhooks::bad_request(bad->reason));
            runner->group(std::get<AlertGroup>(read), {},
                          [respond](AlertOutcome o) { respond(webhooks::answer(o)); });
        });
}

}  // namespace muster::grafana
