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

std::string pad(std::string s, std::size_t w) {
    const std::size_t len = utf8_length(s);
    if (len < w) s.append(w - len, ' ');
    return s;
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
        if (app.got_subcommand("incidents")) {
            const auto list = db->list(open_only, 1000);
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
