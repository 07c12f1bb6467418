// What enters Muster, end to end against the real binary: Slack's text decoded once and escaped
// once per output; long text kept; a delivery repeated by the platform acting once; control
// characters kept out of the terminal and the log; configuration slips refused; one process per
// database.
#include <signal.h>

#include <gtest/gtest.h>

#include <SQLiteCpp/Statement.h>

#include "bot/domain/text.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/fake_pagerduty.h"

using namespace muster;
using namespace muster::test;

namespace {

std::string pd_config(const FakePagerDuty& pd) {
    return "pagerduty: {events_url: " + pd.events_url() +
           "}\ncontacts:\n  oncall-primary: {name: On-call, pagerduty_routing_key: " +
           std::string(32, 'a') + "}\n";
}

std::string id_in(const std::string& text) {
    return text.substr(text.find("INC-"), 16);
}

nlohmann::json exported(const MusterServer& s, const std::string& id) {
    const auto r = run_muster({"export", id, "--format", "incident", "--db", s.db()});
    return nlohmann::json::parse(r.out);
}

}  // namespace

// Slack sends user-typed &, <, > as entities (PROTOCOLS §1). Decoded once where they enter,
// stored plain, escaped once for each output.
TEST(IntakeE2E, SlackEntitiesAreDecodedOnceAndEscapedOncePerOutput) {
    FakePagerDuty pd;
    MusterServer s(pd_config(pd));
    const auto r = s.command("declare P2 R&amp;D &lt;prod&gt; checkout");
    ASSERT_EQ(r.status, 200);
    const std::string answer = json_of(r)["text"];
    EXPECT_NE(answer.find("R&amp;D &lt;prod&gt; checkout"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("&amp;amp;"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("&amp;lt;"), std::string::npos) << answer;
    const std::string id = id_in(answer);
    const auto doc = exported(s, id);
    EXPECT_EQ(doc["incident"]["title"], "R&D <prod> checkout");
    const std::string channel = doc["incident"]["channel"];
    EXPECT_EQ(channel.substr(channel.size() - 18), "-r-d-prod-checkout") << channel;
    // PagerDuty gets JSON: plain text, no entities.
    ASSERT_TRUE(pd.wait_until([](FakePagerDuty& p) { return !p.accepted().empty(); }, 10'000));
    const std::string summary = pd.accepted()[0]["payload"]["summary"];
    EXPECT_NE(summary.find("R&D <prod> checkout"), std::string::npos) << summary;
    // Every other free-text field is decoded the same way.
    const std::string ch = channel.substr(1);
    for (const char* cmd :
         {"note a &amp; b &lt;c&gt;", "impact a &amp; b &lt;c&gt;", "rootcause a &amp; b &lt;c&gt;",
          "action a &amp; b &lt;c&gt;", "update identified a &amp; b &lt;c&gt;"})
        ASSERT_EQ(s.command(cmd, ch).status, 200) << cmd;
    const auto after = exported(s, id);
    EXPECT_EQ(after["incident"]["impact"], "a & b <c>");
    EXPECT_EQ(after["incident"]["root_cause"], "a & b <c>");
    EXPECT_EQ(after["action_items"][0]["text"], "a & b <c>");
    int notes = 0;
    for (const auto& e : after["timeline"])
        if (e["type"] == "note" || e["type"] == "status_update") {
            EXPECT_EQ(e["text"], "a & b <c>");
            ++notes;
        }
    EXPECT_EQ(notes, 2);
}

// People paste whole alert lines at 3 a.m.: a declaration is never refused for its length.
TEST(IntakeE2E, LongTitlesAreDeclaredAndCutPerDestination) {
    FakePagerDuty pd;
    MusterServer s(pd_config(pd));
    const std::string alert300 =
        "[FIRING:1] KubePodCrashLooping prod-eu-west-1 " + std::string(250, 'z') + " end";
    const auto r = s.command("declare P1 " + alert300);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string id = id_in(json_of(r)["text"]);
    const auto doc = exported(s, id);
    EXPECT_EQ(doc["incident"]["title"], alert300);
    EXPECT_LE(doc["incident"]["channel"].get<std::string>().size(), 81u);  // "#" + 80
    const std::string huge(1500, 'h');
    ASSERT_EQ(s.command("declare P1 " + huge).status, 200);
    ASSERT_TRUE(pd.wait_until([](FakePagerDuty& p) { return p.accepted().size() == 2; }, 10'000));
    for (const auto& e : pd.accepted())
        EXPECT_LE(utf8_length(e["payload"]["summary"].get<std::string>()), 1024u);
    EXPECT_EQ(pd.rejected(), 0);
}

// Slack may deliver one invocation twice (X-Slack-Retry-Num); it acts once and answers the same.
TEST(IntakeE2E, ARepeatedDeliveryActsOnce) {
    FakePagerDuty pd;
    MusterServer s(pd_config(pd));
    const std::string body = command_body("declare P1 checkout API 5xx");
    const long long ts = unix_now();
    const auto first = s.post_signed(body, ts);
    const auto again =
        http_request(s.port, "POST", "/slack/commands",
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"X-Slack-Request-Timestamp", std::to_string(ts)},
                      {"X-Slack-Signature", slack::sign(s.secret, std::to_string(ts), body)},
                      {"X-Slack-Retry-Num", "1"},
                      {"X-Slack-Retry-Reason", "http_timeout"}},
                     body);
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(json_of(first), json_of(again));
    EXPECT_EQ(s.rows("incidents"), 1);
    const std::string id = id_in(json_of(first)["text"]);
    const std::string ch = exported(s, id)["incident"]["channel"].get<std::string>().substr(1);
    // Every verb: a note, an ack, sent twice each.
    for (const char* text : {"note rolled back", "ack"}) {
        const std::string b = command_body(text, ch, "U0ONCALL");
        const auto a1 = s.post_signed(b, unix_now());
        const auto a2 = s.post_signed(b, unix_now());
        EXPECT_EQ(json_of(a1), json_of(a2)) << text;
        EXPECT_FALSE(json_of(a2)["text"].get<std::string>().find("already") != std::string::npos)
            << text;
    }
    EXPECT_EQ(s.rows_where("timeline", "type = 'note'"), 1);
    EXPECT_EQ(s.rows_where("timeline", "type = 'acknowledged'"), 1);
    // One PagerDuty trigger, one acknowledge.
    ASSERT_TRUE(pd.wait_until(
        [](FakePagerDuty& p) {
            for (const auto& e : p.accepted())
                if (e["event_action"] == "acknowledge") return true;
            return false;
        },
        10'000));
    int triggers = 0;
    for (const auto& e : pd.accepted()) triggers += e["event_action"] == "trigger";
    EXPECT_EQ(triggers, 1);
    // Two invocations with the same text are two commands (each has its own trigger_id).
    EXPECT_EQ(s.command("declare P3 twice").status, 200);
    EXPECT_EQ(s.command("declare P3 twice").status, 200);
    EXPECT_EQ(s.rows("incidents"), 3);
}

// ESC, CR and BEL in a title never reach a terminal: cleaned where they enter, escaped where
// text is printed.
TEST(IntakeE2E, ControlCharactersNeverReachTheTerminal) {
    MusterServer s;
    ASSERT_EQ(s.command("declare P2 db\x1b[2J\x1b]0;pwned\x07 down\r\nnow").status, 200);
    const auto list = run_muster({"incidents", "--db", s.db()});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(list.out.find('\x1b'), std::string::npos);
    EXPECT_EQ(list.out.find('\x07'), std::string::npos);
    EXPECT_EQ(list.out.find('\r'), std::string::npos);
    EXPECT_NE(list.out.find("db[2J]0;pwned down now"), std::string::npos) << list.out;
    // The console sink printed the declaration without them.
    ASSERT_TRUE(s.proc->wait_for_stdout("INCIDENT DECLARED"));
    EXPECT_EQ(s.proc->out().find('\x1b'), std::string::npos);
    EXPECT_EQ(s.proc->out().find('\x07'), std::string::npos);
}

// A user id with a newline wrote a fake `error` line into the text log.
TEST(IntakeE2E, LogLinesCannotBeForged) {
    MusterServer s;
    const std::string forged = "2026-11-22T00:00:00.000Z error FORGED";
    const auto r =
        s.post_signed(command_body("declare P3 x", "C0GENERAL", "U1\n" + forged), unix_now());
    EXPECT_EQ(r.status, 400);
    const auto r2 =
        s.post_signed(command_body("declare P3 x", "C0GEN\n" + forged, "U0E2E"), unix_now());
    EXPECT_EQ(r2.status, 400);
    EXPECT_EQ(s.rows("incidents"), 0);
    s.proc->signal(SIGTERM);
    s.proc->wait_exit();
    EXPECT_EQ(s.proc->err().find("\n" + forged), std::string::npos) << s.proc->err();
}

// `announce_channel: #incidents` is YAML for "no value": refused, with file, line, key and why.
TEST(IntakeE2E, AKeyWithNoValueIsAConfigError) {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> slips = {
        {"slack:\n  announce_channel: #incidents\n", ":2: slack.announce_channel"},
        {"severities:\n  P1:\n    alert_channel: #alerts-warning\n",
         ":3: severities.P1.alert_channel"},
        {"slack:\n  responders: # nobody yet\n", ":2: slack.responders"},
        {"escalation:\n  ack_within:\n", ":2: escalation.ack_within"},
        {"chat:\n  console: ~\n", ":2: chat.console"},
        {"alertmanager:\n  auto_declare:\n", ":2: alertmanager.auto_declare"},
    };
    for (const auto& [yaml, where] : slips) {
        dir.write("m.yaml", yaml);
        const auto check = run_muster({"check-config", "--config", dir.file("m.yaml")});
        EXPECT_EQ(check.exit_code, 1) << yaml;
        EXPECT_NE(check.err.find(dir.file("m.yaml") + where + ": has no value"), std::string::npos)
            << yaml << check.err;
        EXPECT_NE(check.err.find("unquoted # starts a comment"), std::string::npos) << check.err;
        const auto serve =
            run_muster({"serve", "--config", dir.file("m.yaml"), "--db", dir.file("x.db")});
        EXPECT_EQ(serve.exit_code, 2) << yaml;
    }
    // Quoted, it is a channel; explicitly empty, it is deliberately unset.
    dir.write("ok.yaml",
              "slack:\n  announce_channel: \"#incidents\"\nseverities:\n  P3: "
              "{alert_channel: \"\"}\n");
    EXPECT_EQ(run_muster({"check-config", "--config", dir.file("ok.yaml")}).exit_code, 0);
}

// Pages queued for PagerDuty must not be lost when PagerDuty is (mistakenly) unconfigured.
TEST(IntakeE2E, QueuedMessagesForAnUnconfiguredDestinationWait) {
    FakePagerDuty pd;
    pd.fail_next(1000, 503);  // PagerDuty is down: the page stays queued
    auto s = std::make_unique<MusterServer>(pd_config(pd));
    ASSERT_EQ(s->command("declare P1 checkout").status, 200);
    ASSERT_TRUE(s->proc->wait_for_stderr("will be retried")) << s->proc->err();
    const std::string db = s->db();
    s->proc->signal(SIGTERM);
    ASSERT_EQ(s->proc->wait_exit(), 0);
    const int waiting = s->rows_where("outbox", "destination = 'pagerduty' AND status = 'pending'");
    ASSERT_GE(waiting, 1);
    // The routing key's variable is mistyped now: PagerDuty is not configured.
    TempDir dir;
    dir.write("slip.yaml", "contacts:\n  oncall-primary:\n    pagerduty_routing_key: ${PD_TYPO}\n");
    const auto check = run_muster({"check-config", "--config", dir.file("slip.yaml"), "--db", db});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(
        check.err.find(std::to_string(waiting) + " queued message(s) for pagerduty would wait"),
        std::string::npos)
        << check.err;
    MusterProcess slip(
        {"serve", "--config", dir.file("slip.yaml"), "--listen", "127.0.0.1:0", "--db", db},
        {{"SLACK_SIGNING_SECRET", "x"}});
    ASSERT_NE(slip.wait_listening(), 0);
    EXPECT_TRUE(slip.wait_for_stderr("wait for 'pagerduty', which is not configured here"));
    slip.signal(SIGTERM);
    EXPECT_EQ(slip.wait_exit(), 0);
    EXPECT_EQ(s->rows_where("outbox", "destination = 'pagerduty' AND status = 'pending'"), waiting);
    EXPECT_EQ(s->rows_where("outbox", "status = 'failed'"), 0);
    // Configured again, and PagerDuty back: delivered.
    pd.fail_next(0, 503);
    s->start();
    ASSERT_TRUE(pd.wait_until([](FakePagerDuty& p) { return !p.accepted().empty(); }, 10'000));
}

// A second `muster serve` on the same database would send every page twice.
TEST(IntakeE2E, OneServerPerDatabase) {
    MusterServer s;
    const auto second = run_muster({"serve", "--listen", "127.0.0.1:0", "--db", s.db()},
                                   {{"SLACK_SIGNING_SECRET", "x"}});
    EXPECT_EQ(second.exit_code, 2);
    EXPECT_NE(second.err.find("another muster serve (pid " + std::to_string(s.proc->pid()) +
                              ") is using " + s.db()),
              std::string::npos)
        << second.err;
    // Reading works meanwhile; and the lock dies with its process, kill -9 included.
    EXPECT_EQ(run_muster({"incidents", "--db", s.db()}).exit_code, 0);
    s.proc->signal(SIGKILL);
    s.proc->wait_exit();
    s.start();
    EXPECT_NE(s.port, 0) << s.proc->err();
}
