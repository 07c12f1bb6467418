#include "bot/config/config.h"
#include "bot/domain/incident.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <fstream>
#include <sstream>

#include "tests/support/core_world.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
        const auto it = vars.find(k);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
bool has_error(const ConfigResult& r, int line, const std::string& key, const std::string& text) {
    for (const auto& e : r.errors)
        if (e.line == line && e.key == key && e.message.find(text) != std::string::npos)
            return true;
    return false;
}
std::string errors_of(const ConfigResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += e.to_string() + "\n";
    return s;
}
}  // namespace

TEST(Config, DefaultsComeFromTheRunbooks) {
    const Config c = default_config();
    ASSERT_EQ(c.severity_keys(), (std::vector<std::string>{"P0", "P1", "P2", "P3"}));
    EXPECT_EQ(c.severity("p0")->respond_within_ms, 15 * 60'000);
    EXPECT_EQ(c.severity("P1")->respond_within_ms, 60 * 60'000);
    EXPECT_EQ(c.severity("P2")->respond_within_ms, 4 * 60 * 60'000);
    EXPECT_EQ(c.severity("P3")->respond_within_ms, 24 * 60 * 60'000);
    EXPECT_EQ(c.severity("P0")->alert_channel, "#alerts-critical");
    EXPECT_EQ(c.severity("P2")->alert_channel, "#alerts-warning");
    EXPECT_EQ(c.severity("P3")->alert_channel, "#alerts-info");
    EXPECT_EQ(c.escalation.ack_within_ms, 5 * 60'000);
    const auto& p0 = c.escalation.policies.at("P0");
    ASSERT_EQ(p0.size(), 5u);
    EXPECT_EQ(p0[1].after_ms, 15 * 60'000);
    EXPECT_EQ(p0[4].after_ms, 24 * 3'600'000LL);
    EXPECT_EQ(c.escalation.policies.at("P1")[1].after_ms, 3'600'000);
    EXPECT_EQ(c.escalation.policies.at("P2")[1].after_ms, 4 * 3'600'000);
    EXPECT_EQ(c.server.port, 8080);
    EXPECT_EQ(c.storage.path, "./data/muster.db");
    EXPECT_TRUE(c.console_enabled());
}

TEST(Config, ShippedExampleIsValid) {
    std::ifstream in(std::string(MUSTER_SOURCE_DIR) + "/deploy/muster.example.yaml");
    ASSERT_TRUE(in) << "deploy/muster.example.yaml is missing";
    std::stringstream ss;
    ss << in.rdbuf();
    const auto r = parse_config(ss.str(), "muster.example.yaml",
                                env_of({{"SLACK_SIGNING_SECRET", "s3cr3t-value"}}));
    EXPECT_TRUE(r.ok()) << errors_of(r);
    EXPECT_EQ(r.config.slack.signing_secret, "s3cr3t-value");
    EXPECT_EQ(r.config.escalation.policies.at("P0").size(), 5u);
    EXPECT_EQ(r.config.reports.work_days, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Config, ReportsAndThePublicAddressAreChecked) {
    const auto good = parse_config(R"(server: {public_url: "https://muster.example.com/"}
reports:
  timezone: Europe/Berlin
  working_hours: "08:00-20:00"
  working_days: [Mon, tuesday, sat]
  window: 14d
)",
                                   "m.yaml", env_of({}));
    ASSERT_TRUE(good.ok()) << errors_of(good);
    EXPECT_EQ(good.config.server.public_url, "https://muster.example.com");
    EXPECT_EQ(good.config.reports.work_start_hour, 8);
    EXPECT_EQ(good.config.reports.work_end_hour, 20);
    EXPECT_EQ(good.config.reports.work_days, (std::vector<int>{1, 2, 6}));
    EXPECT_EQ(good.config.reports.default_window_ms, 14LL * 86'400'000);
    const auto bad = parse_config(R"(server: {public_url: "muster.example.com"}
reports:
  timezone: Mars/Olympus
  working_hours: "9-17"
  working_days: [funday]
)",
                                  "m.yaml", env_of({}));
    const std::string errors = errors_of(bad);
    EXPECT_NE(errors.find("m.yaml:1: server.public_url"), std::string::npos) << errors;
    EXPECT_NE(errors.find("reports.timezone"), std::string::npos) << errors;
    EXPECT_NE(errors.find("m.yaml:4: reports.working_hours"), std::string::npos) << errors;
    EXPECT_NE(errors.find("'funday' is not a day"), std::string::npos) << errors;
}

TEST(Config, EnvInterpolationWithFallback) {
    std::string err;
    const auto env = env_of({{"A", "x"}, {"EMPTY", ""}});
    EXPECT_EQ(interpolate_env("${A}-${B:-dflt}-${EMPTY:-e}-${MISSING}", env, &err), "x-dflt-e-");
    EXPECT_TRUE(err.empty());
    interpolate_env("${1BAD}", env, &err);
    EXPECT_NE(err.find("invalid environment variable"), std::string::npos);
    err.clear();
    interpolate_env("${OPEN", env, &err);
    EXPECT_NE(err.find("unterminated"), std::string::npos);
}

TEST(Config, ReadsTheSpecShape) {
    const std::string yaml = R"(server:
  listen: 0.0.0.0:9090
  max_body_bytes: 2048
storage:
  path: /var/lib/muster/m.db
  synchronous: normal
slack:
  signing_secret: ${SECRET}
  announce_channel: C0ANNOUNCE
severities:
  P1: {alert_channel: C0WARN, update_every: 45m}
contacts:
  oncall-primary: {name: Alice, slack_user: U0ALICE, pagerduty_routing_key: R0123456789abcdef0123456789abcde}
escalation:
  ack_within: 2m
  policies:
    P1: [{after: 0s, notify: [oncall-primary]}, {after: 30m, notify: [eng-manager]}]
priority_matrix:
  low: {low: P2}
log: {level: debug, format: json}
)";
    const auto r = parse_config(yaml, "m.yaml", env_of({{"SECRET", "abcd1234"}}));
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const Config& c = r.config;
    EXPECT_EQ(c.server.host, "0.0.0.0");
    EXPECT_EQ(c.server.port, 9090);
    EXPECT_EQ(c.server.max_body_bytes, 2048u);
    EXPECT_EQ(c.storage.synchronous, "normal");
    EXPECT_EQ(c.slack.signing_secret, "abcd1234");
    EXPECT_EQ(c.severity("P1")->alert_channel, "C0WARN");
    EXPECT_EQ(c.severity("P1")->update_every_ms, 45 * 60'000);
    EXPECT_EQ(c.severity("P1")->respond_within_ms, 3'600'000);  // default kept
    EXPECT_EQ(c.contacts.at("oncall-primary").slack_user, "U0ALICE");
    EXPECT_EQ(c.escalation.ack_within_ms, 120'000);
    EXPECT_EQ(c.escalation.policies.at("P1")[1].after_ms, 30 * 60'000);
    EXPECT_EQ(c.escalation.policies.at("P0").size(), 5u);  // untouched default
    EXPECT_EQ(priority_for(c, Level::low, Level::low), "P2");
    EXPECT_EQ(c.log.format, "json");
    const auto secrets = c.secrets();
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), "R0123456789abcdef0123456789abcde"),
              secrets.end());
}

TEST(Config, ErrorsNameFileLineAndKey) {
    const std::string yaml =
        "server:\n"                                // 1
        "  listen: nonsense\n"                     // 2
        "  max_body_bytes: lots\n"                 // 3
        "storage:\n"                               // 4
        "  pathh: x.db\n"                          // 5
        "escalation:\n"                            // 6
        "  ack_within: 5\n"                        // 7
        "  policies:\n"                            // 8
        "    P1:\n"                                // 9
        "      - {after: 1h, notify: [nobody]}\n"  // 10
        "log: {level: loud}\n";                    // 11
    const auto r = parse_config(yaml, "bad.yaml", env_of({}));
    EXPECT_FALSE(r.ok());
    const std::string all = errors_of(r);
    EXPECT_TRUE(has_error(r, 2, "server.listen", "HOST:PORT")) << all;
    EXPECT_TRUE(has_error(r, 3, "server.max_body_bytes", "whole number")) << all;
    EXPECT_TRUE(has_error(r, 5, "storage.pathh", "unknown key")) << all;
    EXPECT_TRUE(has_error(r, 7, "escalation.ack_within", "not a duration")) << all;
    EXPECT_TRUE(has_error(r, 0, "escalation.policies.P1[0].notify", "unknown contact 'nobody'"))
        << all;
    EXPECT_TRUE(has_error(r, 11, "log.level", "loud")) << all;
    EXPECT_NE(all.find("bad.yaml:2: server.listen:"), std::string::npos) << all;
}

TEST(Config, RoutingKeysAreThirtyTwoCharacters) {
    const auto r = parse_config("contacts:\n  oncall-primary: {pagerduty_routing_key: short}\n",
                                "k.yaml", env_of({}));
    EXPECT_TRUE(has_error(r, 2, "contacts.oncall-primary.pagerduty_routing_key", "32-character"))
        << errors_of(r);
}

TEST(Config, YamlSyntaxErrorHasALine) {
    const auto r = parse_config("server:\n  listen: [unclosed\nlog: x\n", "syn.yaml", env_of({}));
    ASSERT_FALSE(r.ok());
    EXPECT_GT(r.errors[0].line, 0);
    EXPECT_EQ(r.errors[0].file, "syn.yaml");
}

TEST(Config, UnknownPatternTokenAndSeverityReferences) {
    const auto r = parse_config(
        "slack: {channel_name_pattern: 'inc-{date}-{slug}'}\nalertmanager: {auto_declare: "
        "{critical: P9}}\n",
        "x.yaml", env_of({}));
    const std::string all = errors_of(r);
    EXPECT_TRUE(has_error(r, 1, "slack.channel_name_pattern", "{date}")) << all;
    EXPECT_TRUE(has_error(r, 0, "alertmanager.auto_declare.critical", "P9")) << all;
}

TEST(Config, SecretsFromEnvironmentAndMissingFile) {
    const auto r = load_config(
        "", env_of({{"SLACK_SIGNING_SECRET", "from-env"}, {"PD_WEBHOOK_SECRET", "pdsecret"}}));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.config.slack.signing_secret, "from-env");
    EXPECT_EQ(r.config.pagerduty.webhook_secrets, std::vector<std::string>{"pdsecret"});
    const auto missing = load_config("/nonexistent/muster.yaml", env_of({}));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.errors[0].to_string().find("/nonexistent/muster.yaml"), std::string::npos);
}

TEST(Config, ConsoleIsTheDefaultOnlyWithoutPlatforms) {
    Config c = default_config();
    EXPECT_TRUE(c.console_enabled());
    c.slack.bot_token = "xoxb-1";
    EXPECT_FALSE(c.console_enabled());
    c.chat.console = true;
    EXPECT_TRUE(c.console_enabled());
}

TEST(Config, WarnsAboutEscalationLevelsThatWouldPageNobody) {
    // With Slack configured and the console off, the shipped contacts (names only) reach nobody.
    const auto r = parse_config(
        "slack: {bot_token: xoxb-1}\n"
        "contacts:\n"
        "  oncall-primary: {name: On-call, slack_user: U0ONCALL}\n"
        "  eng-manager: {name: Manager}\n"
        "escalation:\n"
        "  policies:\n"
        "    P1: [{after: 0s, notify: [oncall-primary]}, {after: 1h, notify: [eng-manager]}]\n",
        "w.yaml", env_of({}));
    ASSERT_TRUE(r.ok());
    // Whom a page reaches is the registered paging methods' answer (here: Slack's DM).
    test::CoreWorld world(r.config, 0);
    // (P0 and P2 keep their runbook policies, whose default contacts have no method either.)
    std::vector<std::string> p1;
    for (const auto& w : world.dispatch().warnings(world.cfg))
        if (w.rfind("escalation.policies.P1", 0) == 0) p1.push_back(w);
    ASSERT_EQ(p1.size(), 1u);
    EXPECT_NE(p1[0].find("escalation.policies.P1[1]: contact 'eng-manager' has no way to be paged"),
              std::string::npos)
        << p1[0];
    EXPECT_EQ(world.dispatch().methods_for(world.cfg.contacts.at("oncall-primary")), "slack");
    // On the console (no platform), everyone is "paged" there.
    test::CoreWorld console(parse_config("", "d.yaml", env_of({})).config, 0);
    EXPECT_TRUE(console.dispatch().warnings(console.cfg).empty());
}

// An unquoted # starts a YAML comment: `announce_channel: #incidents` has no value. That is an
// error at the key's line for every key, never a silent "unset".
TEST(Config, AKeyWithNoValueIsAnErrorAtItsLine) {
    const auto env = env_of({});
    const auto r = parse_config(
        "slack:\n  announce_channel: #incidents\n  responders:\nseverities:\n  P0:\n"
        "    alert_channel: #alerts-critical\nescalation:\n  policies:\n    P1:\n      - after:\n"
        "        notify: [oncall-primary]\n",
        "m.yaml", env);
    EXPECT_TRUE(has_error(r, 2, "slack.announce_channel", "has no value")) << errors_of(r);
    EXPECT_TRUE(has_error(r, 3, "slack.responders", "has no value")) << errors_of(r);
    EXPECT_TRUE(has_error(r, 6, "severities.P0.alert_channel", "unquoted # starts a comment"))
        << errors_of(r);
    EXPECT_TRUE(has_error(r, 10, "escalation.policies.P1[0].after", "has no value"))
        << errors_of(r);
    // Sections may be empty (everything under them commented out); "" is deliberately empty.
    const auto ok = parse_config(
        "slack:\nchat:\nseverities:\n  P3:\ncontacts:\n  sre-lead:\nteams:\n  team_id: \"\"\n",
        "ok.yaml", env);
    EXPECT_TRUE(ok.ok()) << errors_of(ok);
}

// A setting that could only produce a value over a platform's limit is refused here.
TEST(Config, SettingsThatCouldOnlyBreakALimitAreRefused) {
    const auto env = env_of({});
    const auto r = parse_config("contacts:\n  " + std::string(120, 'c') +
                                    ": {name: x}\nslack:\n  channel_name_pattern: \"" +
                                    std::string(70, 'p') + "-{yyyymmdd}-{id}-{slug}\"\n",
                                "l.yaml", env);
    EXPECT_NE(errors_of(r).find("contact keys are at most 100 characters"), std::string::npos)
        << errors_of(r);
    EXPECT_NE(errors_of(r).find("slack.channel_name_pattern: without its {slug}"),
              std::string::npos)
        << errors_of(r);
    EXPECT_TRUE(
        parse_config("slack:\n  channel_name_pattern: \"{slug}-{id}\"\n", "ok.yaml", env).ok());
}

// Severities are configuration. SEV1…SEV4 instead of P0…P3 take the runbook's rules by rank:
// SLA, PagerDuty severity, review, escalation policy, priority matrix, auto-declare.
TEST(Config, SeveritiesByAnotherNameTakeTheRunbookRulesByRank) {
    const auto env = env_of({});
    const auto r = parse_config(
        "severities:\n  SEV1: {name: Critical}\n  SEV2: {name: Major}\n  SEV3: {name: Minor}\n"
        "  SEV4: {name: Low, pagerduty_severity: info, review_within: 7d}\n",
        "sev.yaml", env);
    ASSERT_TRUE(r.ok()) << errors_of(r);
    const Config& c = r.config;
    EXPECT_EQ(c.severity_keys(), (std::vector<std::string>{"SEV1", "SEV2", "SEV3", "SEV4"}));
    EXPECT_EQ(c.severity("SEV1")->pagerduty_severity, "critical");
    EXPECT_EQ(c.severity("SEV1")->respond_within_ms, 15 * 60'000);
    EXPECT_EQ(c.severity("SEV2")->pagerduty_severity, "error");
    EXPECT_EQ(c.severity("SEV2")->review_within_ms, 48 * 3'600'000LL);
    EXPECT_EQ(c.severity("SEV3")->pagerduty_severity, "warning");
    EXPECT_FALSE(c.severity("SEV3")->review_within_ms);
    EXPECT_EQ(c.severity("SEV4")->review_within_ms, 7 * 24 * 3'600'000LL);
    EXPECT_EQ(c.escalation.policies.at("SEV1").size(), 5u);
    EXPECT_EQ(c.escalation.policies.count("P0"), 0u);
    EXPECT_EQ(*priority_for(c, Level::high, Level::high), "SEV1");
    EXPECT_EQ(*priority_for(c, Level::low, Level::low), "SEV4");
    EXPECT_EQ(c.pagerduty.auto_declare.at("high"), "SEV2");
    EXPECT_EQ(c.alertmanager.auto_declare.at("warning"), "SEV3");
    // Merged with the runbook's (P1 named), an added severity takes the least severe's rules.
    const auto m = parse_config("severities:\n  P1: {pagerduty_severity: critical}\n  P4: {}\n",
                                "m.yaml", env);
    ASSERT_TRUE(m.ok()) << errors_of(m);
    EXPECT_EQ(m.config.severity("P1")->pagerduty_severity, "critical");
    EXPECT_EQ(m.config.severity("P4")->pagerduty_severity, "info");
    EXPECT_EQ(m.config.severity_keys().size(), 5u);
    const auto bad =
        parse_config("severities:\n  P1: {pagerduty_severity: urgent}\n", "b.yaml", env);
    EXPECT_TRUE(has_error(bad, 2, "severities.P1.pagerduty_severity", "critical, error, warning"))
        << errors_of(bad);
}

// Issue 9's sections: every value checked where it is written.
TEST(Config, AlertIntakeSectionsAreReadAndChecked) {
    const auto ok = parse_config(
        "server: {api_token: t}\n"
        "pagerduty: {paging: muster, api_token: x, from: oncall@example.com}\n"
        "alertmanager: {on_resolved: annotate}\n"
        "grafana: {hmac_secret: s, timestamp_header: X-Ts, auto_declare: {page: P0}}\n"
        "correlation: {labels: [service, team]}\n"
        "heartbeats: {nightly-backup: {interval: 25h, severity: P2}, cron.hourly: {interval: 2h, "
        "severity: P3, token: own}}\n",
        "ok.yaml", env_of({}));
    ASSERT_TRUE(ok.errors.empty()) << errors_of(ok);
    EXPECT_EQ(ok.config.pagerduty.paging, "muster");
    EXPECT_EQ(ok.config.alertmanager.on_resolved, "annotate");
    EXPECT_EQ(ok.config.grafana.auto_declare.at("page"), "P0");
    EXPECT_EQ(ok.config.correlation.labels, (std::vector<std::string>{"service", "team"}));
    ASSERT_EQ(ok.config.heartbeats.size(), 2u);
    EXPECT_EQ(ok.config.heartbeats.at("nightly-backup").interval_ms, 25LL * 3'600'000);
    EXPECT_EQ(ok.config.heartbeats.at("cron.hourly").token, "own");
    // The tokens are secrets: masked in logs.
    const auto secrets = ok.config.secrets();
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), "own"), secrets.end());
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), "s"), secrets.end());

    const auto bad = parse_config(
        "pagerduty: {paging: sometimes, api_token: x}\n"
        "alertmanager: {on_resolved: maybe}\n"
        "grafana: {auto_declare: {page: P9}, surprise: 1}\n"
        "heartbeats: {\"bad name/..\": {interval: 1h}, quick: {interval: 10ms, severity: P7}}\n",
        "bad.yaml", env_of({}));
    const std::string all = errors_of(bad);
    EXPECT_TRUE(has_error(bad, 1, "pagerduty.paging", "pagerduty or muster")) << all;
    EXPECT_TRUE(has_error(bad, 0, "pagerduty.from", "email")) << all;
    EXPECT_TRUE(has_error(bad, 2, "alertmanager.on_resolved", "resolve or annotate")) << all;
    EXPECT_TRUE(has_error(bad, 0, "grafana.auto_declare.page", "P9")) << all;
    EXPECT_NE(all.find("surprise"), std::string::npos) << all;
    EXPECT_NE(all.find("heartbeats.bad name/.."), std::string::npos) << all;
    EXPECT_TRUE(has_error(bad, 4, "heartbeats.quick.interval", "at least 1s")) << all;
    EXPECT_TRUE(has_error(bad, 0, "heartbeats.quick.severity", "P7")) << all;
    EXPECT_TRUE(has_error(bad, 0, "heartbeats.quick.token", "bearer token")) << all;
}
