// Muster's configuration: one YAML file (SPEC §6) with ${ENV} interpolation, runbook defaults for
// everything, and errors that name file, line and key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace muster {

struct SeverityDef {
    std::string key;          // "P1"
    std::string name;         // "High"
    std::string description;  // "Major functionality impaired"
    std::int64_t respond_within_ms = 0;
    std::optional<std::int64_t> update_every_ms;
    std::string alert_channel;
    // PagerDuty Events v2 payload.severity: critical | error | warning | info (PROTOCOLS §6).
    std::string pagerduty_severity = "info";
    // A post-incident review is due this long after resolution; unset: none (seeds 000/001:
    // P0/P1 within 48 h).
    std::optional<std::int64_t> review_within_ms;
};

struct Contact {
    std::string key;
    std::string name;
    std::string slack_user;
    std::string teams_user;
    std::string pagerduty_routing_key;
    std::string email;
};

struct EscalationLevel {
    std::int64_t after_ms = 0;
    std::vector<std::string> notify;  // contact keys
};

// impact or urgency in the seed 003 priority matrix
enum class Level { low, medium, high };
std::optional<Level> parse_level(const std::string& s);
const char* level_name(Level l);

struct Config {
    struct Server {
        std::string host = "127.0.0.1";
        std::uint16_t port = 8080;
        std::size_t max_body_bytes = 1048576;
        std::size_t max_header_bytes = 16384;
        std::int64_t read_timeout_ms = 10'000;
        std::int64_t idle_timeout_ms = 60'000;
        std::int64_t drain_timeout_ms = 10'000;
        int threads = 2;
        std::size_t max_connections = 1024;
        // A request whose write cannot begin within this is answered 503 (Slack gives 3 s).
        std::int64_t answer_within_ms = 2500;
        std::string api_token;  // bearer token for /api/v1 (empty: the API answers 401)
        // Where people reach this server ("https://muster.example.com"); chat answers
        // `/incident export` with a link under it when set, with the document when not.
        std::string public_url;
    } server;
    // Reports across incidents (muster report, /api/v1/reports, the PIR's times).
    struct Reports {
        std::string timezone = "UTC";  // tz database name: times in documents and working hours
        int work_start_hour = 9;       // working hours [start, end) in `timezone`, local hours
        int work_end_hour = 18;
        std::vector<int> work_days = {1, 2, 3, 4, 5};            // ISO weekdays, 1 = Monday
        std::int64_t default_window_ms = 30LL * 24 * 3'600'000;  // --since when not given
    } reports;
    struct Storage {
        std::string path = "./data/muster.db";
        std::string synchronous = "full";  // full | normal
        std::int64_t busy_timeout_ms = 5000;
        std::size_t max_queue = 20'000;  // writes waiting at most; beyond, requests get 503
    } storage;
    // Old rows pruned in small batches: delivered messages, settled timers, inbound dedupe keys
    // (kept longer than any platform retries: PagerDuty retries for 48 h).
    struct Retention {
        std::int64_t outbox_ms = 7LL * 24 * 3'600'000;
        std::int64_t timers_ms = 30LL * 24 * 3'600'000;
        std::int64_t dedupe_ms = 3LL * 24 * 3'600'000;
    } retention;
    struct Chat {
        std::optional<bool> console;  // unset: console when neither Slack nor Teams is configured
    } chat;
    struct Slack {
        std::string signing_secret;
        std::string bot_token;
        std::string api_url = "https://slack.com/api";
        std::string announce_channel;
        std::string channel_name_pattern = "incident-{yyyymmdd}-{hhmm}-{slug}";
        bool channel_private = false;
        std::vector<std::string> responders;
        std::int64_t timeout_ms = 10'000;  // per Web API call
    } slack;
    struct Teams {
        std::string app_id, app_password, tenant_id, team_id, announce_channel_id;
        std::string openid_metadata_url =
            "https://login.botframework.com/v1/.well-known/openidconfiguration";
        std::string token_url = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
        std::string graph_url = "https://graph.microsoft.com/v1.0";
    } teams;
    struct PagerDuty {
        std::vector<std::string> webhook_secrets;
        std::string events_url = "https://events.pagerduty.com/v2/enqueue";
        std::string api_url = "https://api.pagerduty.com";
        std::string api_token;
        // urgency (high|low) → severity, for an incident whose priority names no severity of ours
        std::map<std::string, std::string> auto_declare = {{"high", "P1"}, {"low", "P3"}};
        // Who pages for an incident PagerDuty opened: "pagerduty" (it is paging already: Muster
        // opens the channel and follows) or "muster" (Muster's escalation policy as well).
        std::string paging = "pagerduty";
        std::string from;  // the PagerDuty user's email, sent as `From:` on REST calls
    } pagerduty;
    struct Alertmanager {
        std::string bearer_token;
        // label `severity` → severity; an alert whose severity is not here is only recorded
        std::map<std::string, std::string> auto_declare = {{"critical", "P1"}, {"warning", "P2"}};
        std::string on_resolved = "resolve";  // every alert resolved: resolve | annotate
    } alertmanager;
    struct Grafana {
        std::string bearer_token;  // optional
        std::string hmac_secret;   // optional: the contact point's HMAC signature secret
        std::string signature_header = "X-Grafana-Alerting-Signature";
        std::string timestamp_header;  // set: Grafana signs "<timestamp>:<body>" (5 min window)
        std::map<std::string, std::string> auto_declare = {{"critical", "P1"}, {"warning", "P2"}};
        std::string on_resolved = "resolve";
    } grafana;
    struct Correlation {
        // Alert labels that join a new alert group to the open incident sharing their values
        // (e.g. [service]); PagerDuty's service id counts as label `pagerduty_service`. Empty:
        // every group opens its own incident.
        std::vector<std::string> labels;
    } correlation;
    // A job that must check in (dead-man's switch): no beat within `interval` declares an
    // incident; the next beat resolves it.
    struct Heartbeat {
        std::string name;
        std::int64_t interval_ms = 0;
        std::string severity = "P2";
        std::string token;  // bearer token of its beats; empty: server.api_token
    };
    std::map<std::string, Heartbeat> heartbeats;
    std::vector<SeverityDef> severities;  // ordered most to least severe
    std::map<std::string, Contact> contacts;
    struct Escalation {
        std::int64_t ack_within_ms = 5 * 60'000;
        int repeat_limit = 3;
        std::int64_t ic_nudge_after_ms = 10 * 60'000;
        std::map<std::string, std::vector<EscalationLevel>> policies;
    } escalation;
    // priority_matrix[impact][urgency] = severity key
    std::map<Level, std::map<Level, std::string>> priority_matrix;
    struct Templates {
        std::string dir = "./templates";
    } templates;
    struct Outbox {
        std::int64_t retry_base_ms = 1000;       // first retry after about this long
        std::int64_t retry_max_ms = 5 * 60'000;  // backoff doubles up to this
    } outbox;
    struct Log {
        std::string level = "info";   // trace|debug|info|warn|error
        std::string format = "text";  // text|json
    } log;

    std::string source;  // the file it came from, or "(defaults)"

    const SeverityDef* severity(const std::string& key) const;  // case-insensitive
    std::vector<std::string> severity_keys() const;
    bool console_enabled() const;
    bool slack_configured() const { return !slack.bot_token.empty(); }
    bool pagerduty_configured() const;  // some contact has a routing key
    // The outbox destinations this configuration delivers to (console, slack, pagerduty,
    // pagerduty_api).
    std::vector<std::string> delivery_destinations() const;
    bool teams_configured() const { return !teams.app_id.empty(); }
    // Every secret in this configuration, for log redaction.
    std::vector<std::string> secrets() const;
};

struct ConfigError {
    std::string file;
    int line = 0;  // 1-based; 0 when not tied to a line
    std::string key;
    std::string message;
    std::string to_string() const;
};

struct ConfigResult {
    Config config;
    std::vector<ConfigError> errors;
    bool ok() const { return errors.empty(); }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Runbook defaults (seeds 000, 001, 003): severities, SLAs, alert channels, escalation matrix.
Config default_config();
ConfigResult parse_config(const std::string& yaml_text, const std::string& filename,
                          const EnvLookup& env);
// path empty: defaults (plus secrets from the environment).
ConfigResult load_config(const std::string& path, const EnvLookup& env);
// "${NAME}" and "${NAME:-fallback}" replaced from env; unset without fallback becomes "".
std::string interpolate_env(const std::string& text, const EnvLookup& env, std::string* error);

}  // namespace muster
