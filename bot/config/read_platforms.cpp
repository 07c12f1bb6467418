// The sections about the platforms Muster talks to: chat, Slack, Teams, PagerDuty, Alertmanager.
#include <algorithm>
#include <cctype>
#include "bot/config/config_reader.h"
#include "bot/domain/channel_name.h"

namespace muster::config_reading {

void read_chat(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["chat"]; r.expect_map(n, "chat", {"console"})) {
        bool b = false;
        std::string v;
        if (r.scalar(n["console"], "chat.console", v)) {
            r.boolean(n, "chat", "console", b);
            c.chat.console = b;
        }
    }
}

void read_slack(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["slack"];
        r.expect_map(n, "slack",
                     {"signing_secret", "bot_token", "api_url", "announce_channel",
                      "channel_name_pattern", "channel_private", "responders", "timeout"})) {
        r.str(n, "slack", "signing_secret", c.slack.signing_secret);
        r.str(n, "slack", "bot_token", c.slack.bot_token);
        r.str(n, "slack", "api_url", c.slack.api_url);
        r.str(n, "slack", "announce_channel", c.slack.announce_channel);
        r.str(n, "slack", "channel_name_pattern", c.slack.channel_name_pattern);
        r.boolean(n, "slack", "channel_private", c.slack.channel_private);
        r.string_list(n, "slack", "responders", c.slack.responders);
        r.duration(n, "slack", "timeout", c.slack.timeout_ms);
        for (const auto& tok : unknown_pattern_tokens(c.slack.channel_name_pattern))
            r.error(n["channel_name_pattern"], "slack.channel_name_pattern",
                    "unknown token {" + tok + "}");
    }
}

void read_teams(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["teams"];
        r.expect_map(n, "teams",
                     {"app_id", "app_password", "tenant_id", "team_id", "announce_channel_id",
                      "openid_metadata_url", "token_url", "graph_url"})) {
        r.str(n, "teams", "app_id", c.teams.app_id);
        r.str(n, "teams", "app_password", c.teams.app_password);
        r.str(n, "teams", "tenant_id", c.teams.tenant_id);
        r.str(n, "teams", "team_id", c.teams.team_id);
        r.str(n, "teams", "announce_channel_id", c.teams.announce_channel_id);
        r.str(n, "teams", "openid_metadata_url", c.teams.openid_metadata_url);
        r.str(n, "teams", "token_url", c.teams.token_url);
        r.str(n, "teams", "graph_url", c.teams.graph_url);
    }
}

void read_pagerduty(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["pagerduty"];
        r.expect_map(n, "pagerduty",
                     {"webhook_secrets", "events_url", "api_url", "api_token", "auto_declare",
                      "paging", "from"})) {
        r.string_list(n, "pagerduty", "webhook_secrets", c.pagerduty.webhook_secrets);
        r.str(n, "pagerduty", "events_url", c.pagerduty.events_url);
        r.str(n, "pagerduty", "api_url", c.pagerduty.api_url);
        r.str(n, "pagerduty", "api_token", c.pagerduty.api_token);
        r.string_map(n, "pagerduty", "auto_declare", c.pagerduty.auto_declare);
        r.str(n, "pagerduty", "paging", c.pagerduty.paging);
        if (c.pagerduty.paging != "pagerduty" && c.pagerduty.paging != "muster")
            r.error(n["paging"], "pagerduty.paging", "must be pagerduty or muster");
        r.str(n, "pagerduty", "from", c.pagerduty.from);
    }
}

namespace {
void read_on_resolved(Reader& r, const YAML::Node& n, const std::string& section,
                      std::string& out) {
    r.str(n, section, "on_resolved", out);
    if (out != "resolve" && out != "annotate")
        r.error(n["on_resolved"], section + ".on_resolved", "must be resolve or annotate");
}
}  // namespace

void read_alertmanager(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["alertmanager"];
        r.expect_map(n, "alertmanager", {"bearer_token", "auto_declare", "on_resolved"})) {
        r.str(n, "alertmanager", "bearer_token", c.alertmanager.bearer_token);
        r.string_map(n, "alertmanager", "auto_declare", c.alertmanager.auto_declare);
        read_on_resolved(r, n, "alertmanager", c.alertmanager.on_resolved);
    }
}

void read_grafana(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["grafana"];
        r.expect_map(n, "grafana",
                     {"bearer_token", "hmac_secret", "signature_header", "timestamp_header",
                      "auto_declare", "on_resolved"})) {
        r.str(n, "grafana", "bearer_token", c.grafana.bearer_token);
        r.str(n, "grafana", "hmac_secret", c.grafana.hmac_secret);
        r.str(n, "grafana", "signature_header", c.grafana.signature_header);
        r.str(n, "grafana", "timestamp_header", c.grafana.timestamp_header);
        r.string_map(n, "grafana", "auto_declare", c.grafana.auto_declare);
        read_on_resolved(r, n, "grafana", c.grafana.on_resolved);
    }
}

void read_correlation(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["correlation"]; r.expect_map(n, "correlation", {"labels"}))
        r.string_list(n, "correlation", "labels", c.correlation.labels);
}

void read_heartbeats(Reader& r, const YAML::Node& root, Config& c) {
    const auto n = root["heartbeats"];
    if (!r.expect_map(n, "heartbeats", {})) return;
    for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string name = it->first.as<std::string>();
        const std::string path = "heartbeats." + name;
        if (!r.expect_map(it->second, path, {"interval", "severity", "token"})) continue;
        Config::Heartbeat h;
        h.name = name;
        r.duration(it->second, path, "interval", h.interval_ms);
        r.str(it->second, path, "severity", h.severity);
        r.str(it->second, path, "token", h.token);
        if (h.interval_ms < 1000)
            r.error(it->second["interval"], path + ".interval", "must be at least 1s");
        const bool plain = !name.empty() && name.size() <= 100 &&
                           std::all_of(name.begin(), name.end(), [](unsigned char ch) {
                               return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
                           });
        if (!plain)
            r.error(it->first, path,
                    "a heartbeat name is its URL path: letters, digits, '-', '_' or '.', at most "
                    "100");
        c.heartbeats[name] = h;
    }
}

}  // namespace muster::config_reading
