// Alert intake end to end (issue 9), against the real binary: a signed PagerDuty webhook opens a
// linked incident with its channel, and acknowledgement and resolution flow both ways without a
// loop (the local PagerDuty's REST API enforces its auth and From header); the real Prometheus
// Alertmanager from Debian opens and closes exactly one incident per group; a heartbeat that
// stops declares an incident and the next beat resolves it.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "integrations/pagerduty/webhooks.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/fake_pagerduty.h"

using namespace muster;
using namespace muster::test;

namespace {

const std::string kWebhookSecret = "pd-webhook-secret";
const std::string kApiToken = "pd-api-token-0123";

std::string pd_event(const std::string& id, const std::string& type, const std::string& incident,
                     const std::string& agent = "Tenex Engineer") {
    return nlohmann::json({{"event",
                            {{"id", id},
                             {"event_type", type},
                             {"resource_type", "incident"},
                             {"occurred_at", "2026-11-22T09:30:00.000Z"},
                             {"agent", {{"id", "PLH1HKV"}, {"summary", agent}}},
                             {"data",
                              {{"id", incident},
                               {"type", "incident"},
                               {"html_url", "https://acme.pagerduty.com/incidents/" + incident},
                               {"number", 42},
                               {"status", "triggered"},
                               {"incident_key", "a1b2"},
                               {"title", "checkout API 5xx"},
                               {"service", {{"id", "PF9KMXH"}, {"summary", "checkout"}}},
                               {"priority", {{"summary", "P1"}}},
                               {"urgency", "high"}}}}}})
        .dump();
}

HttpResult post_pd(const MusterServer& s, const std::string& body, const std::string& webhook_id) {
    return http_request(s.port, "POST", "/webhooks/pagerduty",
                        {{"Content-Type", "application/json"},
                         {"X-PagerDuty-Signature", pagerduty::signature(kWebhookSecret, body)},
                         {"X-Webhook-Id", webhook_id}},
                        body);
}

std::string single(const MusterServer& s, const std::string& sql) {
    auto conn = open_database({s.db(), "full", 5000, true});
    SQLite::Statement q(*conn, sql);
    return q.executeStep() ? q.getColumn(0).getString() : "";
}

std::uint16_t free_port() {
    // Bind to port 0, read the port, close: the child binds it right after.
    HttpServerOptions o;
    o.port = 0;
    auto s = make_beast_server(o, [](HttpRequest&&, Responder r) { r(text_response(200, "")); });
    s->start();
    const auto p = s->port();
    s->drain(100);
    return p;
}

}  // namespace

TEST(AlertsE2E, PagerDutyOpensALinkedIncidentAndChangesFlowBothWaysWithoutLoops) {
    FakePagerDuty pd;
    pd.rest_token(kApiToken);
    pd.add_incident("PD1");
    MusterServer s("pagerduty:\n  webhook_secrets: [\"" + kWebhookSecret + "\"]\n  api_url: " +
                   pd.api_url() + "\n  api_token: " + kApiToken + "\n  from: oncall@example.com\n");
    // Unsigned or wrongly signed: 401, nothing recorded.
    const std::string triggered = pd_event("ev-1", "incident.triggered", "PD1");
    EXPECT_EQ(http_request(s.port, "POST", "/webhooks/pagerduty", {}, triggered).status, 401);
    EXPECT_EQ(
        http_request(s.port, "POST", "/webhooks/pagerduty",
                     {{"X-PagerDuty-Signature", pagerduty::signature("x", triggered)}}, triggered)
            .status,
        401);
    EXPECT_EQ(s.rows("inbound_dedupe"), 0);
    // Signed: a linked incident with its channel; PagerDuty pages, so Muster does not.
    ASSERT_EQ(post_pd(s, triggered, "wh-1").status, 202);
    EXPECT_EQ(post_pd(s, triggered, "wh-1").status, 202);  // PagerDuty's retry
    ASSERT_EQ(s.rows("incidents"), 1);
    const std::string id = single(s, "SELECT id FROM incidents");
    EXPECT_EQ(single(s, "SELECT source FROM incidents"), "pagerduty");
    EXPECT_EQ(single(s, "SELECT severity FROM incidents"), "P1");
    EXPECT_EQ(single(s,
                     "SELECT incident_id FROM incident_links WHERE source = 'pagerduty' AND "
                     "external_id = 'PD1'"),
              id);
    EXPECT_EQ(s.rows("incident_channels"), 1);
    EXPECT_EQ(s.rows_where("timers", "kind = 'page'"), 0);
    ASSERT_TRUE(s.proc->wait_for_stdout("PagerDuty #42"));  // the declaration says where from

    // Acknowledged in chat: PagerDuty's incident follows through its REST API.
    ASSERT_EQ(s.command("ack " + id).status, 200);
    ASSERT_TRUE(pd.wait_until([](FakePagerDuty& p) { return !p.rest_updates().empty(); }, 10'000));
    const auto updates = pd.rest_updates();
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].id, "PD1");
    EXPECT_EQ(updates[0].status, "acknowledged");
    EXPECT_EQ(updates[0].from, "oncall@example.com");
    // PagerDuty's webhook about our own acknowledgement changes nothing and goes nowhere.
    const int timeline_before = s.rows_where("timeline", "incident_id = '" + id + "'");
    ASSERT_EQ(post_pd(s, pd_event("ev-2", "incident.acknowledged", "PD1", "Muster"), "wh-2").status,
              202);
    EXPECT_EQ(s.rows_where("timeline", "incident_id = '" + id + "'"), timeline_before);
    // Resolved in PagerDuty: resolved here, and not sent back.
    ASSERT_EQ(post_pd(s, pd_event("ev-3", "incident.resolved", "PD1"), "wh-3").status, 202);
    EXPECT_EQ(single(s, "SELECT status FROM incidents"), "resolved");
    EXPECT_EQ(s.rows_where("outbox", "destination = 'pagerduty_api'"), 1);  // the ack only
    // A note in PagerDuty reaches the timeline.
    nlohmann::json note = nlohmann::json::parse(pd_event("ev-4", "incident.annotated", "PD1"));
    note["event"]["data"] = {{"incident", {{"id", "PD1"}, {"type", "incident_reference"}}},
                             {"content", "rolled back cart to v41"},
                             {"type", "incident_note"}};
    ASSERT_EQ(post_pd(s, note.dump(), "wh-4").status, 202);
    EXPECT_EQ(s.rows_where("timeline", "type = 'note' AND text LIKE '%rolled back cart%'"), 1);
    // Malformed, and ping.
    EXPECT_EQ(post_pd(s, "{\"event\":", "wh-5").status, 400);
    EXPECT_EQ(post_pd(s, R"({"event":{"id":"p","event_type":"pagey.ping"}})", "wh-6").status, 202);
}

TEST(AlertsE2E, TheRealAlertmanagerOpensAndClosesExactlyOneIncidentPerGroup) {
    const std::string am_bin = "/usr/bin/prometheus-alertmanager";
    ASSERT_TRUE(std::filesystem::exists(am_bin))
        << "install prometheus-alertmanager (.ci/run does)";
    MusterServer s("alertmanager: {bearer_token: am-token}\n");
    TempDir am_dir;
    const std::uint16_t am_port = free_port();
    am_dir.write("alertmanager.yml",
                 "route:\n"
                 "  receiver: muster\n"
                 "  group_by: [alertname, service]\n"
                 "  group_wait: 1s\n"
                 "  group_interval: 1s\n"
                 "  repeat_interval: 1h\n"
                 "receivers:\n"
                 "- name: muster\n"
                 "  webhook_configs:\n"
                 "  - url: http://127.0.0.1:" +
                     std::to_string(s.port) +
                     "/webhooks/alertmanager\n"
                     "    send_resolved: true\n"
                     "    http_config:\n"
                     "      authorization:\n"
                     "        credentials: am-token\n");
    // Run like Muster itself: its log is read as it comes, and "Listening on" is written once
    // the configuration is loaded and the port is open.
    MusterProcess am(
        {"--config.file=" + am_dir.file("alertmanager.yml"), "--storage.path=" + am_dir.path(),
         "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
         "--cluster.listen-address=", "--log.level=info"},
        {}, am_bin);
    ASSERT_TRUE(am.wait_for_stderr("msg=\"Listening on\"", 30'000)) << am.err();
    auto post_alerts = [&](const nlohmann::json& alerts) {
        const auto r = http_request(am_port, "POST", "/api/v2/alerts",
                                    {{"Content-Type", "application/json"}}, alerts.dump());
        EXPECT_EQ(r.status, 200) << alerts.dump() << " → " << r.body;
        return r.status;
    };
    auto alert = [](const std::string& name, const std::string& service,
                    const std::string& instance, bool resolved) {
        nlohmann::json a = {{"labels",
                             {{"alertname", name},
                              {"service", service},
                              {"severity", "critical"},
                              {"instance", instance}}},
                            {"annotations", {{"summary", "p99 latency over 2s"}}}};
        if (resolved) {  // ended a moment ago (Alertmanager wants startsAt before endsAt)
            a["startsAt"] = format_rfc3339(unix_now() * 1000 - 60'000);
            a["endsAt"] = format_rfc3339(unix_now() * 1000 - 1000);
        }
        return a;
    };
    // Two alerts with the same summary and different labels, in one group; another group.
    ASSERT_EQ(post_alerts(nlohmann::json::array({alert("HighLatency", "checkout", "web-1", false),
                                                 alert("HighLatency", "checkout", "web-2", false),
                                                 alert("DiskFull", "db", "db-1", false)})),
              200);
    // Each incident's declaration is printed after it is committed; both alerts of the first
    // group came in its first notification.
    ASSERT_TRUE(s.proc->wait_for_stdout("(declaration, INC-", 30'000, 2)) << s.proc->out();
    EXPECT_EQ(s.rows("incidents"), 2);
    EXPECT_EQ(s.rows_where("alerts", "labels LIKE '%HighLatency%' AND status = 'firing'"), 2);
    const std::string latency =
        single(s, "SELECT incident_id FROM alerts WHERE labels LIKE '%HighLatency%' LIMIT 1");
    // One of the two resolves: the group (and its incident) stays open, the timeline says which.
    ASSERT_EQ(post_alerts(nlohmann::json::array({alert("HighLatency", "checkout", "web-1", true)})),
              200);
    ASSERT_TRUE(s.proc->wait_for_stdout("resolved: p99 latency over 2s {instance=web-1", 30'000))
        << s.proc->out();
    EXPECT_EQ(s.rows_where("timeline", "incident_id = '" + latency +
                                           "' AND type = 'alert_resolved' AND text LIKE "
                                           "'%web-1%'"),
              1);
    EXPECT_EQ(single(s, "SELECT status FROM incidents WHERE id = '" + latency + "'"),
              "investigating");
    // The other resolves too: the incident resolves; the other group's stays open.
    ASSERT_EQ(post_alerts(nlohmann::json::array({alert("HighLatency", "checkout", "web-2", true)})),
              200);
    ASSERT_TRUE(s.proc->wait_for_stdout("(resolution, " + latency + ")", 30'000)) << s.proc->out();
    EXPECT_EQ(single(s, "SELECT status FROM incidents WHERE id = '" + latency + "'"), "resolved");
    EXPECT_EQ(s.rows_where("incidents", "status <> 'resolved'"), 1);
    EXPECT_EQ(s.rows("incidents"), 2);  // exactly one per group, however often it was notified
}

TEST(AlertsE2E, AHeartbeatThatStopsDeclaresAnIncidentAndTheNextBeatResolvesIt) {
    MusterServer s(
        "server: {api_token: beat-token}\n"
        "heartbeats: {nightly-backup: {interval: 25h, severity: P2}}\n");
    auto beat = [&] {
        return http_request(s.port, "POST", "/webhooks/heartbeat/nightly-backup",
                            {{"Authorization", "Bearer beat-token"}}, "")
            .status;
    };
    ASSERT_EQ(beat(), 202);
    ASSERT_EQ(s.rows_where("timers", "kind = 'heartbeat' AND state = 'pending'"), 1);
    // 25 hours without a beat, without waiting them: the deadline moves into the past while
    // Muster is down, and a restart finds it due.
    s.proc->signal(SIGTERM);
    ASSERT_EQ(s.proc->wait_exit(), 0);
    {
        auto conn = open_database({s.db()});
        conn->exec("UPDATE timers SET due_at = " + std::to_string(unix_now() * 1000 - 1000) +
                   " WHERE kind = 'heartbeat' AND state = 'pending'");
    }
    s.start();
    ASSERT_TRUE(s.proc->wait_for_stdout("Heartbeat nightly-backup missed"));
    ASSERT_EQ(s.rows("incidents"), 1);
    EXPECT_EQ(single(s, "SELECT source FROM incidents"), "heartbeat");
    EXPECT_EQ(single(s, "SELECT severity FROM incidents"), "P2");
    ASSERT_EQ(beat(), 202);
    EXPECT_EQ(single(s, "SELECT status FROM incidents"), "resolved");
    EXPECT_EQ(s.rows_where("timers", "kind = 'heartbeat' AND state = 'pending'"), 1);
}
