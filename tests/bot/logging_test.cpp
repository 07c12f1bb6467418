#include "bot/app/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <future>
#include <sstream>

#include "bot/runtime/intake.h"
#include "bot/server/rejections.h"
#include "bot/server/router.h"
#include "commands/handlers.h"
#include "integrations/slack/routes.h"
#include "integrations/slack/signature.h"
#include "tests/support/core_world.h"

using namespace muster;

namespace {
// The capturing sink is the test seam: whatever reaches it is what an operator's log would hold.
struct CapturedLog {
    std::ostringstream out;
    explicit CapturedLog(const std::vector<std::string>& secrets,
                         const std::string& format = "text") {
        install_logging({"trace", format}, secrets,
                        std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
        rejections().reset();
    }
    ~CapturedLog() { install_logging({"info", "text"}, {}); }
    std::string text() {
        spdlog::default_logger()->flush();
        return out.str();
    }
};
}  // namespace

TEST(Logging, RedactsEverySecretEvenFromCarelessCalls) {
    CapturedLog log({"xoxb-very-secret-token", "sign-secret-123"});
    spdlog::info(
        "token is xoxb-very-secret-token and secret sign-secret-123, twice: "
        "xoxb-very-secret-token");
    const std::string text = log.text();
    EXPECT_EQ(text.find("xoxb-very-secret-token"), std::string::npos) << text;
    EXPECT_EQ(text.find("sign-secret-123"), std::string::npos) << text;
    EXPECT_NE(text.find("[REDACTED]"), std::string::npos) << text;
}

TEST(Logging, JsonLinesAreJson) {
    CapturedLog log({}, "json");
    spdlog::warn("quote \" and newline \n inside");
    const std::string line = log.text();
    const auto j = nlohmann::json::parse(line.substr(0, line.find('\n', line.size() - 1)));
    EXPECT_EQ(j["level"], "warning");
    EXPECT_EQ(j["msg"], "quote \" and newline \n inside");
    EXPECT_EQ(j["ts"].get<std::string>().back(), 'Z');
}

TEST(Logging, RejectedAndAcceptedSlashCommandsNeverLogTheSigningSecret) {
    const std::string secret = "the-signing-secret-42";
    CapturedLog log({});  // no redaction: prove the code itself never logs the secret
    Config cfg = default_config();
    cfg.slack.signing_secret = secret;
    test::CoreWorld world(cfg, 1795339800000);
    Dispatch& dispatch = world.dispatch();
    IncidentService service(world.cfg, dispatch, *world.storage);
    CommandHandlers handlers(world.cfg, *world.storage, service, dispatch);
    Intake intake(handlers, service, *world.storage, *world.storage, dispatch, world.clock, 0);
    FakeClock& clock = world.clock;
    const std::string body = "user_id=U1&channel_id=C1&command=%2Fincident&text=declare+P1+db+down";
    const std::string ts = std::to_string(clock.now_ms() / 1000);
    std::vector<HttpRequest> requests(3);
    for (auto& r : requests) {
        r.method = "POST";
        r.path = "/slack/commands";
        r.body = body;
        r.headers["x-slack-request-timestamp"] = ts;
    }
    requests[0].headers["x-slack-signature"] = "v0=" + std::string(64, '0');
    requests[1].headers["x-slack-signature"] = slack::sign(secret, ts, body);
    requests[2].headers["x-slack-signature"] = slack::sign(secret, "1", body);
    std::vector<int> statuses;
    for (auto& r : requests) {
        std::promise<HttpResponse> p;
        slack::handle_command(world.cfg, clock, intake, r,
                              [&p](HttpResponse resp) { p.set_value(resp); });
        statuses.push_back(p.get_future().get().status);
    }
    EXPECT_EQ(statuses, (std::vector<int>{401, 200, 401}));
    const std::string text = log.text();
    EXPECT_NE(text.find("rejected /slack/commands"), std::string::npos) << text;
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
}

// A user id or title with a newline must not start a forged line in the text log, nor drive the
// operator's terminal.
TEST(Logging, UntrustedTextCannotForgeALineOrEscapeTheTerminal) {
    CapturedLog log({});
    spdlog::info("slack: /incident declare by {} in C1",
                 "U1\n2026-11-22T00:00:00.000Z error FORGED\x1b[2J");
    const std::string text = log.text();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_NE(text.find("U1\\n2026-11-22T00:00:00.000Z error FORGED\\x1b[2J"), std::string::npos)
        << text;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// A wrong secret must show in the log at once, but a sender retrying with it (or someone probing)
// must not write a line per request.
TEST(Logging, RejectionsAreOneLinePerSenderAMinuteThenACount) {
    CapturedLog log({});
    RejectionLog rejections(60'000);
    const EpochMs t0 = 1795339800000;
    EXPECT_TRUE(rejections.note("/webhooks/pagerduty", "10.0.0.1", "invalid signature", t0));
    for (int i = 1; i < 100; ++i)
        EXPECT_FALSE(
            rejections.note("/webhooks/pagerduty", "10.0.0.1", "invalid signature", t0 + i * 500));
    EXPECT_TRUE(rejections.note("/webhooks/alertmanager", "10.0.0.2", "wrong token", t0 + 1000));
    EXPECT_EQ(count_of(log.text(), "rejected "), 2u) << log.text();
    // The sender's next line after its window says how many were left out.
    EXPECT_TRUE(
        rejections.note("/webhooks/pagerduty", "10.0.0.1", "invalid signature", t0 + 60'000));
    const std::string text = log.text();
    EXPECT_EQ(count_of(text, "rejected "), 3u) << text;
    EXPECT_NE(text.find("rejected /webhooks/pagerduty from 10.0.0.1: invalid signature (99 more"),
              std::string::npos)
        << text;
}

// A scanner hammering a path does not hide a misconfigured sender on the same path: the
// sender's first rejection is logged within the scanner's window.
TEST(Logging, AScannerDoesNotHideAnotherSenderOnTheSamePath) {
    CapturedLog log({});
    RejectionLog rejections(60'000);
    const EpochMs t0 = 1795339800000;
    for (int i = 0; i < 500; ++i)
        rejections.note("/slack/commands", "198.51.100.7", "missing signature", t0 + i * 10);
    EXPECT_TRUE(rejections.note("/slack/commands", "10.0.0.5", "signature mismatch", t0 + 6'000));
    EXPECT_NE(log.text().find("rejected /slack/commands from 10.0.0.5: signature mismatch"),
              std::string::npos)
        << log.text();
    EXPECT_EQ(count_of(log.text(), "rejected "), 2u) << log.text();
}

// Sources are route paths; a flood of distinct ones cannot grow the table without bound.
TEST(Logging, RejectionSourcesAreBounded) {
    CapturedLog log({});
    RejectionLog rejections(60'000);
    for (int i = 0; i < 1000; ++i) rejections.note("/p/" + std::to_string(i), "x", "no", 1);
    EXPECT_LE(count_of(log.text(), "rejected "), 65u);
}

// Nor can senders: a scanner from a thousand addresses on one path costs at most nine lines a
// window (eight senders of their own, the rest sharing one), and a window that ended with
// nothing left out makes room for a new sender.
TEST(Logging, RejectionSendersAreBounded) {
    CapturedLog log({});
    RejectionLog rejections(60'000);
    const EpochMs t0 = 1795339800000;
    for (int i = 0; i < 1000; ++i)
        rejections.note("/webhooks/grafana", "192.0.2." + std::to_string(i), "no", t0 + i);
    EXPECT_EQ(count_of(log.text(), "rejected "), 9u) << log.text();
    // A minute later, the eight quiet windows have ended: a new sender has its own line again.
    EXPECT_TRUE(rejections.note("/webhooks/grafana", "10.9.9.9", "no", t0 + 70'000));
    EXPECT_TRUE(rejections.note("/webhooks/grafana", "10.9.9.8", "no", t0 + 70'001));
}

// Every endpoint that answers 401 goes through it: twenty forged slash commands, one line; the
// next one a minute later carries the count.
TEST(Logging, ForgedSlashCommandsCostOneLineAMinute) {
    CapturedLog log({});
    Config cfg = default_config();
    cfg.slack.signing_secret = "the-signing-secret-42";
    test::CoreWorld world(cfg, 1795339800000);
    Dispatch& dispatch = world.dispatch();
    IncidentService service(world.cfg, dispatch, *world.storage);
    CommandHandlers handlers(world.cfg, *world.storage, service, dispatch);
    Intake intake(handlers, service, *world.storage, *world.storage, dispatch, world.clock, 0);
    auto forged = [&] {
        HttpRequest r;
        r.method = "POST";
        r.path = "/slack/commands";
        r.remote = "203.0.113.9";
        r.body = "user_id=U1&channel_id=C1&command=%2Fincident&text=declare+P1+db+down";
        r.headers["x-slack-request-timestamp"] = std::to_string(world.clock.now_ms() / 1000);
        r.headers["x-slack-signature"] = "v0=" + std::string(64, '0');
        std::promise<HttpResponse> p;
        slack::handle_command(world.cfg, world.clock, intake, r,
                              [&p](HttpResponse resp) { p.set_value(resp); });
        return p.get_future().get().status;
    };
    for (int i = 0; i < 20; ++i) EXPECT_EQ(forged(), 401);
    EXPECT_EQ(count_of(log.text(), "rejected /slack/commands from 203.0.113.9"), 1u) << log.text();
    world.clock.advance(61'000);
    EXPECT_EQ(forged(), 401);
    const std::string text = log.text();
    EXPECT_EQ(count_of(text, "rejected /slack/commands"), 2u) << text;
    EXPECT_NE(text.find("(19 more since the last such line"), std::string::npos) << text;
}
