// What an integration gets when it installs itself (one line of wiring per integration in
// bot/app/serve.cpp): the registries to join and the ports it may read. In check-config only the
// registries are there (router, outbox, intake are null): an integration then only says whom it
// reaches.
#pragma once

#include "bot/config/config.h"
#include "bot/domain/clock.h"
#include "bot/messages/incident_messages.h"
#include "bot/runtime/dispatch.h"
#include "bot/service/ports.h"

namespace muster {

class Router;
class OutboxWorker;
class Intake;
class AlertRunner;

struct PluginContext {
    const Config& config;
    const Clock& clock;
    Dispatch& dispatch;
    IncidentReads* reads = nullptr;
    Sequences* sequences = nullptr;
    ChatReads* chat = nullptr;
    const IncidentMessages* messages = nullptr;
    OutboxWorker* outbox = nullptr;  // null: not serving (check-config)
    Router* router = nullptr;
    Intake* intake = nullptr;
    AlertRunner* alerts = nullptr;  // null: not serving
    AlertReads* alert_reads = nullptr;
};

}  // namespace muster
