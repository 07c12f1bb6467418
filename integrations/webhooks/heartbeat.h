// Heartbeats (dead-man's switch): `POST /webhooks/heartbeat/{name}` with the heartbeat's bearer
// token (its own `token`, else server.api_token). Each beat moves the heartbeat's deadline to
// now + interval; a deadline that passes declares an incident of the configured severity (the
// timer loop, through AlertRunner::deadline), and the next beat resolves it.
#pragma once

#include "bot/runtime/plugin_context.h"

namespace muster::webhooks {

void install_heartbeats(PluginContext& ctx);

}  // namespace muster::webhooks
