// The alert webhooks through their routes, the alert runner and the real SQLite storage:
// Alertmanager and Grafana notifications read by fingerprint, Grafana's optional signature,
// PagerDuty's 401 that records nothing, replays that change nothing, and 503 (never 4xx) when
// the write queue is full; heartbeats by name and token.
#include <gtest/gtest.h>

#include <future>
#include <sstream>
#include <thread>

#include "bot/runtime/alert_runner.h"
#include "bot/runtime/dispatch.h"
#include "bot/runtime/plugin_context.h"
#include "bot/server/router.h"
#include "bot/service/alert_intake.h"
#include "bot/service/incident_service.h"
#include "integrations/alertmanager/webhook.h"
#include "integrations/console/console_platform.h"
#include "integrations/grafana/webhook.h"
#include "integrations/hmac.h"
#include "integrations/pagerduty/webhooks.h"
#include "integrations/webhooks/heartbeat.h"
#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_gate.h"

using namespace muster;

namespace {

nlohmann::json am_alert(const std::string& fp, const std::string& status,
                        const std::string& summary, const std::string& instance) {
    return {{"status", status},
            {"labels",
             {{"alertname", "HighLatency"}, {"severity", "critical"}, {"instance", instance}}},
            {"annotations", {{"summary", summary}}},
            {"startsAt", "2026-11-22T09:30:00Z"},
            {"endsAt", "0001-01-01T00:00:00Z"},
            {"generatorURL", "http://prometheus/graph"},
            {"fingerprint", fp}};
}

std::string am_notification(const std::string& group, std::vector<nlohmann::json> alerts,
                            const std::string& top_status = "firing", int truncated = 0) {
    return nlohmann::json({{"version", "4"},
                           {"groupKey", group},
                           {"truncatedAlerts", truncated},
                           {"status", top_status},
                           {"receiver", "muster"},
                           {"groupLabels", {{"alertname", "HighLatency"}}},
                           {"commonLabels", {{"alertname", "HighLatency"}}},
                           {"commonAnnotations", nlohmann::json::object()},
                           {"externalURL", "http://alertmanager"},
                           {"alerts", alerts}})
        .dump();
}

struct Stack {
    test::TempDir dir;
    FakeClock clock{1'795'339'800'000};
    Config cfg = [] {
        Config c = default_config();
        c.alertmanager.bearer_token = "am-token";
        c.pagerduty.webhook_secrets = {"pd-secret"};
        c.grafana.hmac_secret = "gf-secret";
        c.server.api_token = "api-token";
        c.heartbeats["backup"] = {"backup", 3'600'000, "P2", ""};
        return c;
    }();
    std::unique_ptr<Storage> storage;
    Templates templates;
    IncidentMessages messages{cfg, templates};
    Dispatch dispatch;
    std::ostringstream console;
    std::unique_ptr<IncidentService> service;
    std::unique_ptr<AlertIntake> intake;
    std::unique_ptr<AlertRunner> runner;
    Router router;
    test::WriterGate writer;

    explicit Stack(std::size_t max_queue = 20'000) {
        StorageOptions o;
        o.path = dir.file("w.db");
        o.clock = &clock;
        o.max_queue = max_queue;
        storage = open_sqlite_storage(o);
        service = std::make_unique<IncidentService>(cfg, dispatch, *storage);
        intake = std::make_unique<AlertIntake>(cfg, *service);
        runner = std::make_unique<AlertRunner>(*intake, *storage, *storage, *storage, dispatch,
                                               clock, 0);
        PluginContext ctx{cfg,           clock,         dispatch,     storage.get(),
                          storage.get(), storage.get(), &messages,    nullptr,
                          &router,       nullptr,       runner.get(), storage.get()};
        install_console(ctx, console);
        pagerduty::install_pagerduty_webhooks(ctx);
        alertmanager::install_alertmanager(ctx);
        grafana::install_grafana(ctx);
        webhooks::install_heartbeats(ctx);
    }
    ~Stack() {
        release();
        storage->stop();
    }
    HttpResponse post(const std::string& path, const std::string& body,
                      std::map<std::string, std::string> headers = {}) {
        HttpRequest r;
        r.method = "POST";
        r.path = r.target = path;
        r.body = body;
        r.headers = std::move(headers);
        std::promise<HttpResponse> p;
        auto f = p.get_future();
        router.handle(std::move(r), [&p](HttpResponse resp) { p.set_value(std::move(resp)); });
        return f.get();
    }
    HttpResponse am(const std::string& body) {
        return post("/webhooks/alertmanager", body, {{"authorization", "Bearer am-token"}});
    }
    // Keeps the writer busy until release().
    void hold_writer() { writer.hold(*storage); }
    void release() { writer.release(); }
    std::vector<Incident> incidents() { return storage->list(false, 100); }
    std::vector<StoredAlert> alerts(const std::string& group) {
        return storage->alerts("alertmanager", group);
    }
};

}  // namespace

TEST(AlertmanagerWebhook, OneIncidentPerGroupAlertsByFingerprintResolvedOnlyWhenAllAre) {
    Stack s;
    // Two alerts with the same summary and different labels: two alerts, one incident.
    auto r = s.am(am_notification("g1", {am_alert("aaa", "firing", "p99 over 2s", "web-1"),
                                         am_alert("bbb", "firing", "p99 over 2s", "web-2")}));
    EXPECT_EQ(r.status, 202);
    ASSERT_EQ(s.incidents().size(), 1u);
    EXPECT_EQ(s.incidents()[0].severity, "P1");
    EXPECT_EQ(s.alerts("g1").size(), 2u);
    // The top-level status says resolved; one alert still fires: the incident stays open.
    r = s.am(am_notification("g1",
                             {am_alert("aaa", "resolved", "p99 over 2s", "web-1"),
                              am_alert("bbb", "firing", "p99 over 2s", "web-2")},
                             "resolved"));
    EXPECT_EQ(r.status, 202);
    ASSERT_EQ(s.incidents().size(), 1u);
    EXPECT_NE(s.incidents()[0].status, Status::resolved);
    bool said_which = false;
    for (const auto& e : s.storage->timeline(s.incidents()[0].id))
        said_which |= e.type == "alert_resolved" && e.text.find("web-1") != std::string::npos;
    EXPECT_TRUE(said_which);
    // A repeat of the same group (Alertmanager's repeat_interval) opens nothing new.
    s.am(am_notification("g1", {am_alert("bbb", "firing", "p99 over 2s", "web-2")}));
    EXPECT_EQ(s.incidents().size(), 1u);
    // Every alert resolved: so is the incident.
    s.am(am_notification("g1",
                         {am_alert("aaa", "resolved", "p99 over 2s", "web-1"),
                          am_alert("bbb", "resolved", "p99 over 2s", "web-2")},
                         "resolved"));
    ASSERT_EQ(s.incidents().size(), 1u);
    EXPECT_EQ(s.incidents()[0].status, Status::resolved);
    // Another group is another incident.
    s.am(am_notification("g2", {am_alert("ccc", "firing", "p99 over 2s", "web-3")}));
    EXPECT_EQ(s.incidents().size(), 2u);
}

TEST(AlertmanagerWebhook, TokenAndBodyAreCheckedBeforeAnythingIsRecorded) {
    Stack s;
    const std::string body = am_notification("g1", {am_alert("a", "firing", "x", "w")});
    EXPECT_EQ(s.post("/webhooks/alertmanager", body).status, 401);
    EXPECT_EQ(s.post("/webhooks/alertmanager", body, {{"authorization", "Bearer wrong"}}).status,
              401);
    EXPECT_EQ(s.post("/webhooks/alertmanager", body, {{"authorization", "Basic am-token"}}).status,
              401);
    EXPECT_EQ(s.am("{").status, 400);
    EXPECT_EQ(s.am(R"({"version":"3","groupKey":"g","alerts":[]})").status, 400);
    EXPECT_EQ(s.am(R"({"version":"4","alerts":[]})").status, 400);
    EXPECT_EQ(s.am(R"({"version":"4","groupKey":"g","alerts":[{"status":"maybe"}]})").status, 400);
    EXPECT_TRUE(s.incidents().empty());
    EXPECT_TRUE(s.alerts("g1").empty());
}

TEST(AlertmanagerWebhook, AlertsWithoutAFingerprintAreKnownByTheirLabelsNotTheirSummary) {
    auto a = am_alert("", "firing", "same words", "web-1");
    auto b = am_alert("", "firing", "same words", "web-2");
    a.erase("fingerprint");
    b.erase("fingerprint");
    auto read =
        alertmanager::read_alert_notification(am_notification("g", {a, b}), "alertmanager", "4", 1);
    ASSERT_TRUE(std::holds_alternative<AlertGroup>(read));
    const auto& g = std::get<AlertGroup>(read);
    ASSERT_EQ(g.alerts.size(), 2u);
    EXPECT_NE(g.alerts[0].fingerprint, g.alerts[1].fingerprint);
    auto again =
        alertmanager::read_alert_notification(am_notification("g", {a}), "alertmanager", "4", 1);
    EXPECT_EQ(std::get<AlertGroup>(again).alerts[0].fingerprint, g.alerts[0].fingerprint);
}

TEST(GrafanaWebhook, SignedBodyOrTimestampedBodyWithinFiveMinutes) {
    Stack s;
    nlohmann::json n = nlohmann::json::parse(
        am_notification("grafana-g", {am_alert("g1", "firing", "CPU high", "node-1")}));
    n["version"] = "1";
    n["title"] = "[FIRING:1] CPU high";
    n["state"] = "alerting";
    const std::string body = n.dump();
    const std::string sig = hmac_sha256_hex("gf-secret", body);
    EXPECT_EQ(s.post("/webhooks/grafana", body).status, 401);
    EXPECT_EQ(s.post("/webhooks/grafana", body, {{"x-grafana-alerting-signature", "00"}}).status,
              401);
    EXPECT_EQ(s.post("/webhooks/grafana", body, {{"x-grafana-alerting-signature", sig}}).status,
              202);
    ASSERT_EQ(s.incidents().size(), 1u);
    EXPECT_EQ(s.incidents()[0].title, "[FIRING:1] CPU high");
    // With a timestamp header configured, "<ts>:<body>" is signed and must be recent.
    s.cfg.grafana.timestamp_header = "X-Grafana-Alerting-Signature-Timestamp";
    const std::string ts = std::to_string(s.clock.now_ms() / 1000);
    const std::string tsig = hmac_sha256_hex("gf-secret", ts + ":" + body);
    EXPECT_EQ(s.post("/webhooks/grafana", body,
                     {{"x-grafana-alerting-signature", tsig},
                      {"x-grafana-alerting-signature-timestamp", ts}})
                  .status,
              202);
    EXPECT_EQ(s.post("/webhooks/grafana", body, {{"x-grafana-alerting-signature", sig}}).status,
              401);  // the timestamp is now required
    s.clock.advance(6 * 60'000);
    EXPECT_EQ(s.post("/webhooks/grafana", body,
                     {{"x-grafana-alerting-signature", tsig},
                      {"x-grafana-alerting-signature-timestamp", ts}})
                  .status,
              401);
}

TEST(PagerDutyWebhookRoute, BadSignaturesRecordNothingAndRetriesActOnce) {
    Stack s;
    const std::string body = nlohmann::json({{"event",
                                              {{"id", "ev-1"},
                                               {"event_type", "incident.triggered"},
                                               {"resource_type", "incident"},
                                               {"occurred_at", "2026-11-22T09:30:00Z"},
                                               {"agent", {{"summary", "Tenex"}}},
                                               {"data",
                                                {{"id", "PD1"},
                                                 {"number", 7},
                                                 {"title", "checkout down"},
                                                 {"html_url", "https://acme.pagerduty.com/i/PD1"},
                                                 {"urgency", "high"},
                                                 {"incident_key", "k"}}}}}})
                                 .dump();
    const std::string sig = pagerduty::signature("pd-secret", body);
    EXPECT_EQ(s.post("/webhooks/pagerduty", body).status, 401);
    EXPECT_EQ(s.post("/webhooks/pagerduty", body,
                     {{"x-pagerduty-signature", pagerduty::signature("nope", body)}})
                  .status,
              401);
    EXPECT_EQ(s.post("/webhooks/pagerduty", body, {{"x-pagerduty-signature", "v0=abc"}}).status,
              401);
    EXPECT_TRUE(s.incidents().empty());
    EXPECT_FALSE(s.storage->seen("pagerduty_event", "ev-1"));
    EXPECT_EQ(s.post("/webhooks/pagerduty", "{",
                     {{"x-pagerduty-signature", pagerduty::signature("pd-secret", "{")}})
                  .status,
              400);
    const std::map<std::string, std::string> headers = {{"x-pagerduty-signature", sig},
                                                        {"x-webhook-id", "wh-1"}};
    EXPECT_EQ(s.post("/webhooks/pagerduty", body, headers).status, 202);
    EXPECT_EQ(s.post("/webhooks/pagerduty", body, headers).status, 202);  // PagerDuty's retry
    ASSERT_EQ(s.incidents().size(), 1u);
    EXPECT_EQ(s.incidents()[0].source, "pagerduty");
    const auto link = s.storage->link("pagerduty", "PD1");
    ASSERT_TRUE(link);
    EXPECT_EQ(link->incident_id, s.incidents()[0].id);
}

TEST(AlertWebhooks, AFullWriteQueueIs503NeverA4xx) {
    Stack s(/*max_queue=*/1);
    s.hold_writer();
    std::promise<HttpResponse> first;
    std::thread t(
        [&] { first.set_value(s.am(am_notification("g1", {am_alert("a", "firing", "x", "w")}))); });
    // The queue holds one: the second waits in it, the third is refused at once.
    while (s.storage->queued_writes() < 1) std::this_thread::yield();
    const HttpResponse busy = s.am(am_notification("g2", {am_alert("b", "firing", "x", "w")}));
    EXPECT_EQ(busy.status, 503);
    bool retry_after = false;
    for (const auto& [k, v] : busy.headers) retry_after |= k == "Retry-After";
    EXPECT_TRUE(retry_after);
    s.release();
    t.join();
    EXPECT_EQ(first.get_future().get().status, 202);
    EXPECT_EQ(s.incidents().size(), 1u);  // g2 saved nothing: Alertmanager sends it again
}

TEST(HeartbeatRoute, KnownNamesWithTheirTokenMoveTheDeadline) {
    Stack s;
    EXPECT_EQ(s.post("/webhooks/heartbeat/backup", "").status, 401);
    EXPECT_EQ(
        s.post("/webhooks/heartbeat/nope", "", {{"authorization", "Bearer api-token"}}).status,
        404);
    EXPECT_EQ(
        s.post("/webhooks/heartbeat/backup", "", {{"authorization", "Bearer api-token"}}).status,
        202);
    const auto pending = s.storage->unbound_timers("heartbeat", "backup@");
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].due_at, s.clock.now_ms() + 3'600'000);
    s.clock.advance(1000);
    s.post("/webhooks/heartbeat/backup", "", {{"authorization", "Bearer api-token"}});
    const auto moved = s.storage->unbound_timers("heartbeat", "backup@");
    ASSERT_EQ(moved.size(), 1u);  // the old deadline was cancelled
    EXPECT_EQ(moved[0].due_at, s.clock.now_ms() + 3'600'000);
}

// Thirty notifications for one group at once (a sender retrying, several Alertmanagers in a
// cluster): each is decided on the state the one before left, so none is refused for racing the
// others, none is lost, and the group still has one incident.
TEST(AlertmanagerWebhook, ConcurrentNotificationsForOneGroupAreAllRecorded) {
    Stack s;
    std::vector<std::thread> senders;
    std::vector<int> statuses(30, 0);
    for (int i = 0; i < 30; ++i)
        senders.emplace_back([&s, &statuses, i] {
            statuses[static_cast<std::size_t>(i)] =
                s.am(am_notification("hot", {am_alert("fp" + std::to_string(i), "firing",
                                                      "same words", "w" + std::to_string(i))}))
                    .status;
        });
    for (auto& t : senders) t.join();
    for (int st : statuses) EXPECT_EQ(st, 202);
    EXPECT_EQ(s.incidents().size(), 1u);
    EXPECT_EQ(s.alerts("hot").size(), 30u);
}
