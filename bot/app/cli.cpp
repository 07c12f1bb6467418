// The `muster` command line: parses the verb, loads the configuration, and runs it. Read
// commands open the database read-only and work while `serve` runs.
#include "bot/app/app.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "bot/domain/incident_id.h"
#include "bot/domain/text.h"
#include "bot/messages/incident_export.h"
#include "bot/messages/message.h"
#include "bot/messages/templates.h"
#include "bot/runtime/dispatch.h"
#include "bot/runtime/plugin_context.h"
#include "integrations/console/console_platform.h"
#include "integrations/pagerduty/events_api.h"
#include "integrations/slack/slack_platform.h"
#include "storage/sqlite_storage.h"

namespace muster {

namespace {

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

StorageOptions read_only(const Config& cfg) {
    StorageOptions o;
    o.path = cfg.storage.path;
    o.busy_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms);
    o.read_only = true;
    return o;
}

// The integrations' registries, without serving: whom would a page reach?
std::vector<std::string> paging_warnings(const Config& cfg) {
    SystemClock clock;
    Dispatch dispatch;
    PluginContext ctx{cfg, clock, dispatch};
    install_console(ctx, std::cout);
    slack::install_slack(ctx);
    pagerduty::install_pagerduty(ctx);
    return dispatch.warnings(cfg);
}

// Messages already queued in the database for a destination this configuration would not
// deliver to: a slip (a mistyped ${VAR}) that would strand pages. They are not lost (serve keeps
// them queued), but check-config fails so a deploy does not go out like this.
std::vector<std::string> stranded_messages(const Config& cfg) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!std::filesystem::exists(cfg.storage.path, ec)) return out;
    try {
        auto storage = open_sqlite_storage(read_only(cfg));
        const auto configured = cfg.delivery_destinations();
        for (const auto& [dest, n] : storage->pending_by_destination())
            if (std::find(configured.begin(), configured.end(), dest) == configured.end())
                out.push_back(cfg.storage.path + ": " + std::to_string(n) +
                              " queued message(s) for " + dest + " would wait: " + dest +
                              " is not configured here (they go out once it is)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "warning: cannot check the queued messages: %s\n", e.what());
    }
    return out;
}

}  // namespace

int fail(const std::string& message, int code) {
    std::fprintf(stderr, "muster: %s\n", message.c_str());
    return code;
}

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

    ListingOptions listing;
    auto* incidents_cmd = app.add_subcommand(
        "incidents", "List incidents, newest first, a page at a time (never silently cut)");
    add_common(incidents_cmd, true);
    incidents_cmd->add_flag("--open", listing.open_only, "Only incidents that are not resolved");
    incidents_cmd->add_flag("--json", listing.as_json,
                            "JSON (muster.incidents.v1: incidents and the next page's cursor)");
    incidents_cmd->add_option("--since", listing.since,
                              "Declared since: 30d, 12h, 2026-11-01 or an RFC 3339 time");
    incidents_cmd->add_option("--limit", listing.limit, "Incidents per page (1-1000)")
        ->check(CLI::Range(1, 1000));
    incidents_cmd->add_option("--after", listing.cursor,
                              "The cursor a previous page ended with (its `next`)");
    incidents_cmd->add_flag("--all", listing.all, "Every page, one after another");

    DocumentOptions doc;
    auto* export_cmd =
        app.add_subcommand("export", "The post-incident review of an incident (PIR document)");
    add_common(export_cmd, true);
    export_cmd->add_option("id", doc.id, "Incident id, e.g. INC-20261122-001")->required();
    export_cmd->add_option("--format", doc.format,
                           "markdown (default), html (standalone, SVG timeline), json "
                           "(muster.pir.v1), or incident (the raw record and timeline)");
    export_cmd->add_option("--out", doc.out, "Write to this file instead of stdout");
    export_cmd->add_option("--tz", doc.tz,
                           "Time zone of the times shown (default reports.timezone)");

    DocumentOptions rep;
    auto* report_cmd = app.add_subcommand("report", "Numbers across incidents: are we faster?");
    add_common(report_cmd, true);
    report_cmd->add_option("--since", rep.since,
                           "Start: 30d (default reports.window), "
                           "2026-11-01 or an RFC 3339 time");
    report_cmd->add_option("--until", rep.until, "End (default now), written like --since");
    report_cmd->add_option("--format", rep.format, "markdown (default), html or json");
    report_cmd->add_option("--out", rep.out, "Write to this file instead of stdout");
    report_cmd->add_option("--tz", rep.tz,
                           "Time zone of the times shown (default reports.timezone)");

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
            for (const auto& w : paging_warnings(loaded.config))
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

    std::unique_ptr<Storage> db;
    try {
        db = open_sqlite_storage(read_only(cfg));
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }
    try {
        if (app.got_subcommand("incidents")) return list_incidents(*db, listing);
        if (app.got_subcommand("export")) return export_document(*db, cfg, doc);
        if (app.got_subcommand("report")) return report_document(*db, cfg, rep);
    } catch (const std::exception& e) {
        return fail(std::string("reading the database failed: ") + e.what(), 2);
    }
    return fail("unknown command", 2);
}

}  // namespace muster
