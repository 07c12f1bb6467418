// `muster serve`: the one place that knows every part. Storage behind its ports, the incident
// service and the command handlers on top, one line per integration, the loops, the server.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "bot/app/app.h"
#include "bot/app/logging.h"
#include "bot/messages/incident_messages.h"
#include "bot/runtime/alert_runner.h"
#include "bot/runtime/dispatch.h"
#include "bot/runtime/intake.h"
#include "bot/runtime/outbox_worker.h"
#include "bot/runtime/retention.h"
#include "bot/runtime/timer_loop.h"
#include "bot/server/http_server.h"
#include "bot/server/readiness.h"
#include "bot/server/router.h"
#include "bot/service/alert_intake.h"
#include "bot/service/incident_service.h"
#include "commands/handlers.h"
#include "integrations/alertmanager/webhook.h"
#include "integrations/api/api.h"
#include "integrations/console/console_platform.h"
#include "integrations/grafana/webhook.h"
#include "integrations/pagerduty/events_api.h"
#include "integrations/pagerduty/rest_sync.h"
#include "integrations/pagerduty/webhooks.h"
#include "integrations/slack/slack_platform.h"
#include "integrations/webhooks/heartbeat.h"
#include "storage/process_lock.h"
#include "storage/sqlite_storage.h"

namespace muster {

namespace {
bool apply_listen(Config& cfg, const std::string& listen) {
    if (listen.empty()) return true;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    try {
        const int port = std::stoi(listen.substr(colon + 1));
        if (port < 0 || port > 65535) return false;
        cfg.server.host = listen.substr(0, colon);
        cfg.server.port = static_cast<std::uint16_t>(port);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}
}  // namespace

int serve(Config cfg, const std::string& listen) {
    if (!apply_listen(cfg, listen)) return fail("--listen must be HOST:PORT", 2);
    install_logging({cfg.log.level, cfg.log.format}, cfg.secrets());

    // Signals are taken by sigwait on this thread only: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    SystemClock clock;
    std::unique_ptr<ProcessLock> lock;
    std::unique_ptr<Storage> storage;
    try {
        lock = std::make_unique<ProcessLock>(cfg.storage.path);
        StorageOptions so;
        so.path = cfg.storage.path;
        so.synchronous = cfg.storage.synchronous;
        so.busy_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms);
        so.max_queue = cfg.storage.max_queue;
        so.clock = &clock;
        storage = open_sqlite_storage(so);
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }
    Templates templates(cfg.templates.dir);
    for (const auto& p : templates.drop_broken_overrides())
        spdlog::warn("templates: {} (the shipped template is used instead)", p);
    const IncidentMessages messages(cfg, templates);

    Dispatch dispatch;
    IncidentService service(cfg, dispatch, *storage);
    CommandHandlers handlers(cfg, *storage, service, dispatch);
    Intake intake(handlers, service, *storage, *storage, dispatch, clock,
                  cfg.server.answer_within_ms);
    AlertIntake alert_intake(cfg, service);
    AlertRunner alerts(alert_intake, *storage, *storage, *storage, dispatch, clock,
                       cfg.server.answer_within_ms);
    OutboxWorker outbox(*storage, clock,
                        RetryPolicy{cfg.outbox.retry_base_ms, cfg.outbox.retry_max_ms, 0.2});
    Router router;

    // One line per integration: each registers what it is (chat platform, paging method), its
    // deliverer and its routes, when its configuration says it is there.
    PluginContext ctx{cfg,       clock,   dispatch, storage.get(), storage.get(), storage.get(),
                      &messages, &outbox, &router,  &intake,       &alerts,       storage.get()};
    install_console(ctx, std::cout);
    slack::install_slack(ctx);
    pagerduty::install_pagerduty(ctx);
    pagerduty::install_pagerduty_webhooks(ctx);
    pagerduty::install_pagerduty_sync(ctx);
    alertmanager::install_alertmanager(ctx);
    grafana::install_grafana(ctx);
    webhooks::install_heartbeats(ctx);

    for (const auto& w : dispatch.warnings(cfg)) spdlog::warn("config: {}", w);

    TimerLoop timers(*storage, *storage, service, dispatch, *storage, clock);
    timers.on_unbound(
        [&alerts, &cfg](const Timer& t, EpochMs now) { return alerts.deadline(t, cfg, now); });
    Retention retention(
        *storage, clock,
        {cfg.retention.outbox_ms, cfg.retention.timers_ms, cfg.retention.dedupe_ms});
    storage->on_commit([&outbox, &timers] {
        outbox.notify();
        timers.notify();
    });

    // The read API and the PIR in chat (signed links to the API when server.public_url is set).
    const auto api = api::install_api(cfg, clock, router, *storage, *storage, templates);
    handlers.set_documents(&templates,
                           [&cfg](const std::string& id, const std::string& format, EpochMs now) {
                               return api::pir_link(cfg, id, format, now);
                           });

    Readiness readiness(*storage, clock);
    router.add("GET", "/healthz",
               [](HttpRequest&&, Responder respond) { respond(text_response(200, "ok\n")); });
    router.add("GET", "/readyz",
               [&readiness](HttpRequest&&, Responder respond) { readiness.check(respond); });

    HttpServerOptions http;
    http.host = cfg.server.host;
    http.port = cfg.server.port;
    http.max_body_bytes = cfg.server.max_body_bytes;
    http.max_header_bytes = cfg.server.max_header_bytes;
    http.read_timeout_ms = cfg.server.read_timeout_ms;
    http.idle_timeout_ms = cfg.server.idle_timeout_ms;
    http.threads = cfg.server.threads;
    http.max_connections = cfg.server.max_connections;
    auto server = make_beast_server(http, [&router](HttpRequest&& req, Responder respond) {
        router.handle(std::move(req), std::move(respond));
    });
    try {
        server->start();
    } catch (const std::exception& e) {
        storage->stop();
        return fail(e.what(), 2);
    }
    outbox.start();
    timers.start();  // whatever fell due while Muster was down is due now
    retention.start();

    spdlog::info("muster {} serving on {}:{} (config {}, database {}, chat {})", MUSTER_VERSION,
                 cfg.server.host, server->port(), cfg.source, cfg.storage.path,
                 cfg.console_enabled() ? "console" : "platforms");
    std::printf("muster listening on http://%s:%u\n", cfg.server.host.c_str(),
                static_cast<unsigned>(server->port()));
    std::fflush(stdout);

    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("{} received: draining (up to {} ms)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                 cfg.server.drain_timeout_ms);
    readiness.set_draining();
    server->drain(cfg.server.drain_timeout_ms);
    retention.stop();
    timers.stop();
    outbox.stop();  // undelivered rows stay in the outbox for the next start
    storage->stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace muster
