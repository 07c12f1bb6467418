// Grafana alerting's webhook contact point in (PROTOCOLS §8): `POST /webhooks/grafana`, the
// Alertmanager shape with version "1". Optionally signed: the configured header carries the hex
// HMAC-SHA256 of the body (or of "<timestamp>:<body>" when a timestamp header is configured,
// which must then be within 5 minutes); optionally a bearer token. Alerts then go the same way
// as Alertmanager's.
#pragma once

#include <string>

#include "bot/config/config.h"
#include "bot/runtime/plugin_context.h"
#include "bot/server/http_server.h"

namespace muster::grafana {

// Empty when the request may pass; else why not (for a 401).
std::string refuse(const Config& config, const HttpRequest& req, EpochMs now);

void install_grafana(PluginContext& ctx);

}  // namespace muster::grafana
