// What can only be checked once the whole file is read, and secrets from the environment.
#include "bot/config/config_reader.h"
#include "bot/domain/channel_name.h"
#include "bot/messages/local_time.h"

namespace muster::config_reading {

// Cross-references that only make sense once the whole file is read.
void validate(const Config& c, const std::string& file, std::vector<ConfigError>& errors) {
    auto err = [&](const std::string& key, const std::string& msg) {
        errors.push_back({file, 0, key, msg});
    };
    if (c.severities.empty()) err("severities", "at least one severity is needed");
    // Values Muster sends must fit the platforms' limits; a setting that could only produce an
    // over-limit value is refused here rather than failing at 3 a.m.
    for (const auto& [key, ct] : c.contacts)
        if (key.size() > 100)
            err("contacts." + key.substr(0, 40) + "…",
                "contact keys are at most 100 characters (they are part of PagerDuty's "
                "dedup_key, at most 255)");
    {
        // The pattern without its slug, with the widest incident id, must leave room in Slack's
        // 80 characters for a "-NN" suffix.
        const std::string fixed =
            channel_name({c.slack.channel_name_pattern, "", "INC-20261231-999999",
                          "SEV-LONGEST-NAME", 4102444799000},
                         1000);
        if (fixed.size() > 76)
            err("slack.channel_name_pattern",
                "without its {slug} the pattern already makes names of " +
                    std::to_string(fixed.size()) +
                    " characters; Slack allows 80 (keep the fixed part under 77)");
    }
    for (const auto& [sev, levels] : c.escalation.policies) {
        if (!c.severity(sev)) err("escalation.policies." + sev, "no such severity");
        for (std::size_t i = 0; i < levels.size(); ++i)
            for (const auto& who : levels[i].notify)
                if (!c.contacts.count(who))
                    err("escalation.policies." + sev + "[" + std::to_string(i) + "].notify",
                        "unknown contact '" + who + "' (define it under contacts)");
    }
    for (const auto& [impact, row] : c.priority_matrix)
        for (const auto& [urgency, sev] : row)
            if (!c.severity(sev))
                err(std::string("priority_matrix.") + level_name(impact) + "." +
                        level_name(urgency),
                    "unknown severity '" + sev + "'");
    for (const auto& [k, sev] : c.pagerduty.auto_declare)
        if (!c.severity(sev)) err("pagerduty.auto_declare." + k, "unknown severity '" + sev + "'");
    for (const auto& [k, sev] : c.alertmanager.auto_declare)
        if (!c.severity(sev))
            err("alertmanager.auto_declare." + k, "unknown severity '" + sev + "'");
    for (const auto& [k, sev] : c.grafana.auto_declare)
        if (!c.severity(sev)) err("grafana.auto_declare." + k, "unknown severity '" + sev + "'");
    for (const auto& [name, h] : c.heartbeats) {
        if (!c.severity(h.severity))
            err("heartbeats." + name + ".severity", "unknown severity '" + h.severity + "'");
        if (h.token.empty() && c.server.api_token.empty())
            err("heartbeats." + name + ".token",
                "a heartbeat needs a bearer token: set token here or server.api_token");
    }
    if (!TimeZone::find(c.reports.timezone))
        err("reports.timezone",
            "'" + c.reports.timezone + "' is not in the tz database (e.g. UTC, Europe/Berlin)");
    if (!c.pagerduty.api_token.empty() && c.pagerduty.from.empty())
        err("pagerduty.from",
            "the PagerDuty REST API needs the email of a PagerDuty user with api_token (it is "
            "sent as From:)");
}

// Every secret can also come from the environment, for deployments that keep files secret-free.
void fill_secrets_from_env(Config& c, const EnvLookup& env) {
    auto fill = [&](std::string& field, const char* var) {
        if (field.empty())
            if (auto v = env(var)) field = *v;
    };
    fill(c.server.api_token, "MUSTER_API_TOKEN");
    fill(c.slack.signing_secret, "SLACK_SIGNING_SECRET");
    fill(c.slack.bot_token, "SLACK_BOT_TOKEN");
    fill(c.teams.app_id, "TEAMS_APP_ID");
    fill(c.teams.app_password, "TEAMS_APP_PASSWORD");
    fill(c.teams.tenant_id, "TEAMS_TENANT_ID");
    fill(c.pagerduty.api_token, "PD_API_TOKEN");
    fill(c.alertmanager.bearer_token, "ALERTMANAGER_TOKEN");
    if (c.pagerduty.webhook_secrets.empty())
        if (auto v = env("PD_WEBHOOK_SECRET"); v && !v->empty()) c.pagerduty.webhook_secrets = {*v};
}

}  // namespace muster::config_reading
