// The sections about the platforms Muster talks to: chat, Slack, Teams, PagerDuty, Alertmanager.
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
                     {"webhook_secrets", "events_url", "api_url", "api_token", "auto_declare"})) {
        r.string_list(n, "pagerduty", "webhook_secrets", c.pagerduty.webhook_secrets);
        r.str(n, "pagerduty", "events_url", c.pagerduty.events_url);
        r.str(n, "pagerduty", "api_url", c.pagerduty.api_url);
        r.str(n, "pagerduty", "api_token", c.pagerduty.api_token);
        r.string_map(n, "pagerduty", "auto_declare", c.pagerduty.auto_declare);
    }
}

void read_alertmanager(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["alertmanager"];
        r.expect_map(n, "alertmanager", {"bearer_token", "auto_declare"})) {
        r.str(n, "alertmanager", "bearer_token", c.alertmanager.bearer_token);
        r.string_map(n, "alertmanager", "auto_declare", c.alertmanager.auto_declare);
    }
}

}  // namespace muster::config_reading
