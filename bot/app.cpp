#include "bot/app.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "bot/clock.h"
#include "bot/config.h"
#include "bot/http_server.h"
#include "bot/incident_id.h"
#include "bot/logging.h"
#include "bot/message.h"
#include "bot/outbox_worker.h"
#include "bot/readiness.h"
#include "bot/router.h"
#include "bot/templates.h"
#include "bot/text.h"
#include "bot/timer_loop.h"
#include "commands/command_runner.h"
#include "commands/handlers.h"
#include "commands/parser.h"
#include "integrations/console/console_sink.h"
#include "integrations/pagerduty/events_api.h"
#include "integrations/slack/events_route.h"
#include "integrations/slack/interactions_route.h"
#include "integrations/slack/slack_deliverer.h"
#include "integrations/slack/slash_command_route.h"
#include "integrations/slack/web_api.h"
#include "storage/database.h"
#include "storage/export.h"
#include "storage/incident_store.h"
#include "storage/outbox_store.h"
#include "storage/process_lock.h"
#include "storage/writer.h"

namespace muster {

namespace {

// One line on stderr and a non-zero exit: how every command-line failure ends.
int fail(const std::string& message, int code = 1) {
    std::fprintf(stderr, "muster: %s\n", message.c_str());
    return code;
}

struct Common {
    std::string config_path;
    std::string db_path;
};

// --config, else $MUSTER_CONFIG, else the built-in defaults.
ConfigResult load(const Common& c) {
    std::string path = c.config_path;
    if (path.empty())
        if (const char* env = std::getenv("MUSTER_CONFIG")) path = env;
    ConfigResult r = load_config(path, process_env());
    if (!c.db_path.empty()) r.config.storage.path = c.db_path;
    return r;
}

DatabaseOptions db_options(const Config& cfg, bool read_only) {
    DatabaseOptions o;
    o.path = cfg.storage.path;
    o.synchronous = cfg.storage.synchronous;
    o.busy_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms);
    o.read_only = read_only;
    return o;
}

// With Slack, a PagerDuty trigger links the incident channel if it exists when the page goes out.
pagerduty::ChannelLookup pagerduty_channel_lookup(const Config& cfg, Writer& writer) {
    if (!cfg.slack_configured()) return {};
    return [&writer](const std::string& incident) {
        return writer
            .call<std::optional<pagerduty::ChannelRef>>(
                [incident](SQLite::Database& db) -> std::optional<pagerduty::ChannelRef> {
                    const auto id = channel_of_incident(db, incident, "slack");
                    const auto inc = load_incident(db, incident);
                    if (!id || !inc) return std::nullopt;
                    return pagerduty::ChannelRef{*id, inc->channel};
                })
            .get();
    };
}

int serve(Config cfg, const std::string& listen) {
    if (!listen.empty()) {
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos || colon == 0) return fail("--listen must be HOST:PORT", 2);
        try {
            const int port = std::stoi(listen.substr(colon + 1));
            if (port < 0 || port > 65535) throw std::out_of_range("port");
            cfg.server.host = listen.substr(0, colon);
            cfg.server.port = static_cast<std::uint16_t>(port);
        } catch (const std::exception&) {
            return fail("--listen must be HOST:PORT", 2);
        }
    }
    install_logging({cfg.log.level, cfg.log.format}, cfg.secrets());

    // Signals are taken by sigwait on this thread only: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::unique_ptr<ProcessLock> lock;
    std::unique_ptr<SQLite::Database> db;
    try {
        lock = std::make_unique<ProcessLock>(cfg.storage.path);
        db = open_database(db_options(cfg, false));
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }
    SystemClock clock;
    Writer writer(std::move(db));
    Templates templates(cfg.templates.dir);
    for (const auto& p : templates.check())
        spdlog::warn("templates: {} (the built-in one is used)", p);
    for (const auto& w : cfg.warnings()) spdlog::warn("config: {}", w);
    CommandHandlers handlers(cfg, templates);

    OutboxWorker outbox(writer, clock,
                        RetryPolicy{cfg.outbox.retry_base_ms, cfg.outbox.retry_max_ms, 0.2});
    if (cfg.console_enabled())
        outbox.add_deliverer("console", std::make_shared<ConsoleSink>(std::cout));
    std::unique_ptr<slack::WebApi> slack_api;
    if (cfg.slack_configured()) {
        slack::init_http_client_threads(4);
        slack_api = slack::make_web_api(cfg.slack.api_url, cfg.slack.bot_token,
                                        std::chrono::milliseconds(cfg.slack.timeout_ms));
        slack::Lookups lookups;
        lookups.incident_channel = [&writer](const std::string& id) {
            return writer
                .call<std::optional<std::string>>(
                    [id](SQLite::Database& db) { return channel_of_incident(db, id, "slack"); })
                .get();
        };
        lookups.messages = [&writer](const std::string& id, const std::string& purpose) {
            return writer
                .call<std::vector<ChatMessage>>([id, purpose](SQLite::Database& db) {
                    return find_messages(db, id, "slack", purpose);
                })
                .get();
        };
        lookups.last_suffix = [&writer](const std::string& base) {
            return writer
                .call<int>(
                    [base](SQLite::Database& db) { return last_channel_suffix(db, "slack", base); })
                .get();
        };
        const auto timeout = std::chrono::milliseconds(cfg.slack.timeout_ms);
        outbox.add_deliverer("slack",
                             std::make_shared<slack::SlackDeliverer>(
                                 *slack_api, clock, lookups,
                                 [timeout](const std::string& url, const nlohmann::json& body) {
                                     return slack::post_json(url, body, timeout);
                                 }));
    }
    if (cfg.pagerduty_configured()) {
        slack::init_http_client_threads(4);
        const auto timeout = std::chrono::milliseconds(cfg.slack.timeout_ms);
        // One long-lived client (and connection pool) for every PagerDuty event.
        std::shared_ptr<slack::JsonPoster> events =
            slack::make_json_poster(cfg.pagerduty.events_url, timeout);
        outbox.add_deliverer("pagerduty",
                             std::make_shared<pagerduty::EventsDeliverer>(
                                 cfg.pagerduty.events_url,
                                 [events](const std::string&, const nlohmann::json& body) {
                                     return events->post(body);
                                 },
                                 clock, pagerduty_channel_lookup(cfg, writer)));
    }
    TimerLoop timers(writer, clock, handlers.escalation());
    writer.on_commit([&outbox, &timers] {
        outbox.notify();
        timers.notify();
    });

    Readiness readiness(writer, clock);
    CommandRunner runner(writer, handlers, clock);
    slack::SlashCommandRoute slash(cfg, clock, runner);
    slack::InteractionsRoute interactions(cfg, clock, runner);
    slack::EventsRoute events(cfg, clock, writer);
    Router router;
    router.add("POST", "/slack/commands",
               [&slash](HttpRequest&& req, Responder respond) { slash.handle(req, respond); });
    router.add("POST", "/slack/interactions",
               [&interactions](HttpRequest&& req, Responder respond) {
                   interactions.handle(req, respond);
               });
    router.add("POST", "/slack/events",
               [&events](HttpRequest&& req, Responder respond) { events.handle(req, respond); });
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
        writer.stop();
        return fail(e.what(), 2);
    }
    outbox.start();
    timers.start();  // whatever fell due while Muster was down is due now

    if (cfg.slack.signing_secret.empty())
        spdlog::warn("slack.signing_secret is not set: /slack/commands answers 401 to everything");
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
    timers.stop();
    outbox.stop();  // undelivered rows stay in the outbox for the next start
    writer.stop();
    spdlog::info("stopped");
    return 0;
}

// Messages already queued in the database for a destination this configuration would not
// deliver to: a slip (a mistyped ${VAR}) that would strand pages. They are not lost (serve keeps
// them queued), but check-config fails so a deploy does not go out like this.
std::vector<std::string> stranded_messages(const Config& cfg) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!std::filesystem::exists(cfg.storage.path, ec)) return out;
    try {
        auto db = open_database(db_options(cfg, true));
        const auto configured = cfg.delivery_destinations();
        for (const auto& [dest, n] : pending_outbox_by_destination(*db))
            if (std::find(configured.begin(), configured.end(), dest) == configured.end())
                out.push_back(cfg.storage.path + ": " + std::to_string(n) +
                              " queued message(s) for " + dest + " would wait: " + dest +
                              " is not configured here (they go out once it is)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "warning: cannot check the queued messages: %s\n", e.what());
    }
    return out;
}

std::string pad(std::string s, std::size_t w) {
    const std::size_t len = utf8_length(s);
    if (len < w) s.append(w - len, ' ');
    return s;
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"Muster: incident response for Slack and Microsoft Teams", "muster"};
    app.require_subcommand(1);
    Common common;
    auto add_common = [&](CLI::App* sub, bool with_db) {
        sub->add_option("--config", common.config_path,
                        "YAML configuration file (or $MUSTER_CONFIG)");
        if (with_db)
            sub->add_option("--db", common.db_path, "SQLite database (overrides storage.path)");
    };

    std::string listen;
    auto* serve_cmd = app.add_subcommand("serve", "Run the bot: HTTP intake, outbox, timers");
    add_common(serve_cmd, true);
    serve_cmd->add_option("--listen", listen,
                          "HOST:PORT (overrides server.listen; port 0 picks one)");

    bool open_only = false, as_json = false;
    auto* incidents_cmd = app.add_subcommand("incidents", "List incidents, newest first");
    add_common(incidents_cmd, true);
    incidents_cmd->add_flag("--open", open_only, "Only incidents that are not resolved");
    incidents_cmd->add_flag("--json", as_json, "JSON instead of a table");

    std::string export_id, format = "json", out_path;
    auto* export_cmd = app.add_subcommand("export", "Export an incident and its timeline");
    add_common(export_cmd, true);
    export_cmd->add_option("id", export_id, "Incident id, e.g. INC-20261122-001")->required();
    export_cmd->add_option("--format", format, "json (markdown and html come with the PIR work)");
    export_cmd->add_option("--out", out_path, "Write to this file instead of stdout");

    auto* check_cmd =
        app.add_subcommand("check-config", "Validate the configuration and templates");
    add_common(check_cmd, true);

    app.add_subcommand("version", "Print the version");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return fail(e.what(), 2);
    }

    if (app.got_subcommand("version")) {
        std::printf("muster %s\n", MUSTER_VERSION);
        return 0;
    }

    ConfigResult loaded = load(common);
    if (app.got_subcommand("check-config")) {
        for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        auto problems = Templates(loaded.config.templates.dir).check();
        if (loaded.ok()) {
            for (const auto& w : loaded.config.warnings())
                std::fprintf(stderr, "warning: %s\n", w.c_str());
            for (const auto& p : stranded_messages(loaded.config)) problems.push_back(p);
        }
        for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.c_str());
        if (!loaded.ok() || !problems.empty()) return 1;
        std::printf("ok: %s\n", loaded.config.source.c_str());
        return 0;
    }
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "muster: %s\n", e.to_string().c_str());
        return 2;
    }
    const Config& cfg = loaded.config;

    if (app.got_subcommand("serve")) return serve(cfg, listen);

    std::unique_ptr<SQLite::Database> db;
    try {
        db = open_database(db_options(cfg, true));
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }
    try {
        if (app.got_subcommand("incidents")) {
            const auto list = list_incidents(*db, open_only);
            if (as_json) {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& i : list) arr.push_back(incident_json(i));
                std::printf("%s\n", dump_json(arr, 2).c_str());
                return 0;
            }
            if (list.empty()) {
                std::printf(open_only ? "No open incidents.\n" : "No incidents.\n");
                return 0;
            }
            std::printf("%s\n", (pad("ID", 18) + pad("SEV", 5) + pad("STATUS", 15) +
                                 pad("DECLARED (UTC)", 22) + pad("IC", 14) + "TITLE")
                                    .c_str());
            // Stored text is clean; this is a terminal, so escape anything that is not anyway.
            for (const auto& i : list)
                std::printf("%s\n", escape_controls(pad(i.id, 18) + pad(i.severity, 5) +
                                                    pad(status_name(i.status), 15) +
                                                    pad(format_human_utc(i.declared_at), 22) +
                                                    pad(i.ic.empty() ? "-" : i.ic, 14) + i.title)
                                        .c_str());
            return 0;
        }
        if (app.got_subcommand("export")) {
            if (format != "json")
                return fail("--format " + format + " is not available yet; use --format json", 2);
            const auto id = normalize_incident_id(export_id);
            if (!id) return fail("'" + export_id + "' is not an incident id (INC-YYYYMMDD-NNN)", 2);
            const auto doc = export_incident(*db, *id);
            if (!doc) return fail("no incident " + *id + " in " + cfg.storage.path, 1);
            const std::string text = dump_json(*doc, 2) + "\n";
            if (out_path.empty()) {
                std::fwrite(text.data(), 1, text.size(), stdout);
            } else {
                std::ofstream out(out_path, std::ios::binary);
                out << text;
                if (!out) return fail("cannot write " + out_path, 1);
            }
            return 0;
        }
    } catch (const std::exception& e) {
        return fail(std::string("reading the database failed: ") + e.what(), 2);
    }
    return fail("unknown command", 2);
}

}  // namespace muster
