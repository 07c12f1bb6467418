// The real build/muster on a free port with a temp SQLite file, driven over HTTP like Slack would.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "tests/e2e/e2e_support.h"

using namespace muster;
using namespace muster::test;

TEST(SlashCommandE2E, DeclareUpdateAckResolveThenExport) {
    MusterServer s;
    ASSERT_NE(s.port, 0) << s.proc->err();
    const auto declared = s.command("declare P1 checkout API 5xx");
    ASSERT_EQ(declared.status, 200) << declared.body;
    EXPECT_EQ(declared.headers.at("content-type"), "application/json");
    const auto j = json_of(declared);
    EXPECT_EQ(j["response_type"], "in_channel");
    const std::string text = j["text"];
    const auto at = text.find("INC-");
    ASSERT_NE(at, std::string::npos) << text;
    const std::string id = text.substr(at, 16);
    const auto hash = text.find("#incident-");
    ASSERT_NE(hash, std::string::npos);
    const std::string channel = text.substr(hash + 1, text.find('.', hash) - hash - 1);

    // The console sink prints the declaration, seeded from the runbook template.
    EXPECT_TRUE(s.proc->wait_for_stdout("🚨 INCIDENT DECLARED 🚨")) << s.proc->out();
    EXPECT_TRUE(s.proc->wait_for_stdout("console → #alerts-warning"));
    // The level-1 page is printed too (acknowledged before it is out, it would be withdrawn).
    EXPECT_TRUE(s.proc->wait_for_stdout("📟 PAGE"));

    // Inside the incident channel the incident is implied.
    EXPECT_EQ(json_of(s.command("update identified bad deploy of cart", channel))["response_type"],
              "in_channel");
    EXPECT_EQ(json_of(s.command("ack", channel, "U0ONCALL"))["response_type"], "in_channel");
    EXPECT_EQ(json_of(s.command("note rolled back cart to v41", channel))["response_type"],
              "ephemeral");
    const auto resolved = json_of(s.command("resolve " + id + " error rate normal"));
    EXPECT_NE(resolved["text"].get<std::string>().find("resolved"), std::string::npos);
    EXPECT_TRUE(s.proc->wait_for_stdout("✅ RESOLVED"));

    // Every console message was recorded as delivered through the outbox (stopping the server
    // lets the worker record the delivery it is in the middle of).
    s.proc->signal(SIGTERM);
    EXPECT_EQ(s.proc->wait_exit(), 0);
    {
        auto db = open_database({s.db(), "full", 5000, true});
        EXPECT_EQ(
            db->execAndGet("SELECT COUNT(*) FROM outbox WHERE status <> 'delivered'").getInt(), 0);
        // declaration, 2 announcements, the level-1 page, 2 updates, the resolution
        EXPECT_EQ(
            db->execAndGet("SELECT COUNT(*) FROM outbox WHERE destination = 'console'").getInt(),
            7);
    }

    const auto list = run_muster({"incidents", "--db", s.db()});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find(id), std::string::npos);
    EXPECT_NE(list.out.find("resolved"), std::string::npos);
    const auto exported = run_muster({"export", id, "--format", "incident", "--db", s.db()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    const auto doc = nlohmann::json::parse(exported.out);
    EXPECT_EQ(doc["incident"]["id"], id);
    EXPECT_EQ(doc["incident"]["status"], "resolved");
    EXPECT_EQ(doc["incident"]["acknowledged_by"], "U0ONCALL");
    std::vector<std::string> types;
    std::string last_at;
    for (const auto& e : doc["timeline"]) {
        types.push_back(e["type"]);
        EXPECT_GE(e["at"].get<std::string>(), last_at);
        last_at = e["at"];
    }
    EXPECT_EQ(types,
              (std::vector<std::string>{
                  "declared", "channel_created", "page_sent", "status_changed", "status_update",
                  "acknowledged", "pages_cancelled", "note", "resolved", "timers_cancelled"}));
}

TEST(SlashCommandE2E, BadSignaturesAre401AndWriteNothing) {
    MusterServer s;
    const std::string body = command_body("declare P0 forged");
    const long long now = unix_now();
    const std::string ts = std::to_string(now);
    const std::vector<std::vector<std::pair<std::string, std::string>>> attempts = {
        {{"X-Slack-Request-Timestamp", ts},
         {"X-Slack-Signature", slack::sign("wrong-secret", ts, body)}},
        {{"X-Slack-Request-Timestamp", ts}},
        {{"X-Slack-Signature", slack::sign(s.secret, ts, body)}},
        {},
        {{"X-Slack-Request-Timestamp", std::to_string(now - 301)},
         {"X-Slack-Signature", slack::sign(s.secret, std::to_string(now - 301), body)}},
        {{"X-Slack-Request-Timestamp", std::to_string(now + 400)},
         {"X-Slack-Signature", slack::sign(s.secret, std::to_string(now + 400), body)}},
        // Signed for a different body: replaying a signature on new text.
        {{"X-Slack-Request-Timestamp", ts},
         {"X-Slack-Signature", slack::sign(s.secret, ts, body + "x")}},
    };
    for (const auto& headers : attempts) {
        auto h = headers;
        h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        EXPECT_EQ(http_request(s.port, "POST", "/slack/commands", h, body).status, 401);
    }
    EXPECT_EQ(s.rows("incidents"), 0);
    EXPECT_EQ(s.rows("timeline"), 0);
    EXPECT_EQ(s.rows("outbox"), 0);
    EXPECT_EQ(s.rows("id_sequences"), 0);
    // The same request, signed properly, works: the 401s were about the signature.
    EXPECT_EQ(s.post_signed(body, now).status, 200);
    EXPECT_EQ(s.rows("incidents"), 1);
}

TEST(SlashCommandE2E, OversizedBodiesAre413BeforeBeingRead) {
    MusterServer s("\nserver: {max_body_bytes: 4096}\n");
    const std::string big(5000, 'a');
    const auto declared =
        http_request(s.port, "POST", "/slack/commands",
                     {{"Content-Type", "application/x-www-form-urlencoded"}}, big);
    EXPECT_EQ(declared.status, 413);
    // Chunked, so the size is only known while reading: the parser's limit stops it.
    std::string chunked =
        "POST /slack/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) chunked += "400\r\n" + std::string(1024, 'b') + "\r\n";
    chunked += "0\r\n\r\n";
    EXPECT_EQ(http_raw(s.port, chunked).status, 413);
    // A declared 64 MiB body is refused from its header alone, without sending it.
    const auto huge = http_raw(
        s.port, "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n");
    EXPECT_EQ(huge.status, 413);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
    EXPECT_EQ(s.rows("incidents"), 0);
}

TEST(SlashCommandE2E, HeaderLimitKeepAliveAndSlowClients) {
    MusterServer s("\nserver: {max_header_bytes: 2048, idle_timeout: 1s, read_timeout: 1s}\n");
    const auto big_header =
        http_request(s.port, "GET", "/healthz", {{"X-Padding", std::string(4096, 'p')}});
    EXPECT_EQ(big_header.status, 431);
    // Two requests on one connection: keep-alive answers both, then honours Connection: close.
    const std::string both = http_raw_all(s.port,
                                          "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz "
                                          "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(both.find("ok\n"), std::string::npos) << both;
    EXPECT_NE(both.find("ready\n"), std::string::npos) << both;
    // A client that sends half a request and stalls is cut off by the read timeout, not kept
    // forever.
    const auto t0 = std::chrono::steady_clock::now();
    const std::string stalled =
        http_raw_all(s.port, "POST /slack/commands HTTP/1.1\r\nHost: x\r\n", 10'000);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(stalled.find("200"), std::string::npos);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
}

TEST(SlashCommandE2E, MalformedInputGetsClearAnswers) {
    MusterServer s;
    const auto usage = s.command("declare P9 something");
    ASSERT_EQ(usage.status, 200);
    const auto j = json_of(usage);
    EXPECT_EQ(j["response_type"], "ephemeral");
    EXPECT_NE(j["text"].get<std::string>().find("Usage: /incident declare"), std::string::npos);
    // Text that could ping or forge links is escaped in the answer: typed (Slack sends it
    // entity-encoded) or Slack's own markup (decoded to plain words at intake).
    const auto hostile =
        json_of(s.command("declare P3 &lt;!channel&gt; <!here> <https://evil|login>"));
    const std::string answer = hostile["text"];
    EXPECT_EQ(answer.find("<!channel>"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("<!here>"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("<https://evil"), std::string::npos) << answer;
    EXPECT_NE(answer.find("&lt;!channel&gt; @here login (https://evil)"), std::string::npos)
        << answer;
    // A signed body that is not a valid form, or lacks the fields of a slash command: 400.
    EXPECT_EQ(s.post_signed("text=%zz", unix_now()).status, 400);
    EXPECT_EQ(s.post_signed("text=hello", unix_now()).status, 400);
    EXPECT_EQ(s.rows("incidents"), 1);  // only the hostile-title declare
    // Garbage on the socket: 400, and the server lives on.
    EXPECT_EQ(http_raw(s.port, "NONSENSE\r\n\r\n").status, 400);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
}

TEST(SlashCommandE2E, SslCheckHealthReadinessAndRouting) {
    MusterServer s;
    EXPECT_EQ(http_request(s.port, "POST", "/slack/commands", {}, "ssl_check=1&token=abc").status,
              200);
    const auto health = http_request(s.port, "GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok\n");
    EXPECT_EQ(http_request(s.port, "GET", "/readyz").status, 200);
    EXPECT_EQ(http_request(s.port, "GET", "/nope").status, 404);
    const auto wrong_method = http_request(s.port, "GET", "/slack/commands");
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(wrong_method.headers.at("allow"), "POST");
}

TEST(SlashCommandE2E, KillNineAndRestartKeepDataAndIdSequence) {
    MusterServer s;
    const auto first = json_of(s.command("declare P2 first"))["text"].get<std::string>();
    const auto second = json_of(s.command("declare P2 second"))["text"].get<std::string>();
    const std::string id2 = second.substr(second.find("INC-"), 16);
    s.command("ack " + id2);
    s.proc->signal(SIGKILL);
    EXPECT_EQ(s.proc->wait_exit(), 128 + SIGKILL);
    s.start();
    ASSERT_NE(s.port, 0);
    const auto third = json_of(s.command("declare P2 third"))["text"].get<std::string>();
    EXPECT_EQ(third.substr(third.find("INC-") + 13, 3), "003") << third;
    EXPECT_EQ(s.rows("incidents"), 3);
    auto db = read_storage(s.db());
    const auto state = db->load(id2);
    ASSERT_TRUE(state);
    const Incident* inc = &state->incident;
    ASSERT_TRUE(inc);
    EXPECT_TRUE(inc->acknowledged_at);
    (void)first;
}

TEST(SlashCommandE2E, SigtermDrainsAndEveryAnsweredRequestIsPersisted) {
    MusterServer s;
    ASSERT_NE(s.port, 0) << s.proc->err();
    std::mutex mu;
    std::condition_variable cv;
    std::set<std::string> answered;
    std::atomic<bool> stop{false};
    std::atomic<int> count{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 6; ++t)
        clients.emplace_back([&, t] {
            for (int i = 0; !stop; ++i) {
                const auto r =
                    s.command("declare P3 load " + std::to_string(t) + "-" + std::to_string(i));
                if (r.status == 0) break;  // refused: the server has stopped listening
                if (r.status != 200) continue;
                const std::string text = json_of(r)["text"];
                std::lock_guard<std::mutex> lk(mu);
                answered.insert(text.substr(text.find("INC-"), 16));
                ++count;
                cv.notify_all();
            }
        });
    // Let some requests through, then ask the server to stop while the clients keep sending.
    {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait_for(lk, std::chrono::seconds(30), [&] { return answered.size() >= 30; });
    }
    s.proc->signal(SIGTERM);
    EXPECT_EQ(s.proc->wait_exit(), 0) << s.proc->err();
    stop = true;
    for (auto& c : clients) c.join();
    EXPECT_TRUE(s.proc->err().find("draining") != std::string::npos);
    EXPECT_EQ(s.proc->err().find("drain timed out"), std::string::npos) << s.proc->err();
    auto db = read_storage(s.db());
    ASSERT_GE(answered.size(), 30u);
    for (const auto& id : answered) EXPECT_TRUE(db->load(id)) << id << " was answered but lost";
}

TEST(SlashCommandE2E, SecretsNeverReachTheLog) {
    MusterServer s("\nlog: {level: trace}\n");
    s.command("declare P1 secret test");
    const std::string body = command_body("declare P1 forged");
    http_request(s.port, "POST", "/slack/commands",
                 {{"X-Slack-Request-Timestamp", "1"}, {"X-Slack-Signature", "v0=" + s.secret}},
                 body);
    s.proc->signal(SIGTERM);
    s.proc->wait_exit();
    const std::string log = s.proc->err();
    EXPECT_NE(log.find("rejected /slack/commands"), std::string::npos) << log;
    EXPECT_EQ(log.find(s.secret), std::string::npos) << log;
    EXPECT_EQ(s.proc->out().find(s.secret), std::string::npos);
}

TEST(SlashCommandE2E, StartupFailuresAreOneLineAndNonZero) {
    TempDir dir;
    dir.write("blocker", "x");
    const auto bad_db =
        run_muster({"serve", "--listen", "127.0.0.1:0", "--db", dir.file("blocker/m.db")});
    EXPECT_EQ(bad_db.exit_code, 2);
    EXPECT_EQ(bad_db.err.find("muster: "), 0u) << bad_db.err;
    EXPECT_NE(bad_db.err.find("blocker"), std::string::npos);

    MusterServer s;
    const auto busy = run_muster(
        {"serve", "--listen", "127.0.0.1:" + std::to_string(s.port), "--db", dir.file("x.db")});
    EXPECT_EQ(busy.exit_code, 2);
    EXPECT_NE(busy.err.find("cannot listen on 127.0.0.1:" + std::to_string(s.port)),
              std::string::npos)
        << busy.err;
}
