// Admission control (issue 8, item 5), through the Slack route, the intake and the real SQLite
// storage: a full write queue, and a write that cannot begin before the request's deadline, are
// answered 503 with Retry-After (Slack shows its "failed with the error" notice and the user
// runs the command again) and save nothing, so a retry never makes a duplicate.
#include <gtest/gtest.h>

#include <future>

#include "bot/runtime/dispatch.h"
#include "bot/runtime/intake.h"
#include "bot/runtime/plugin_context.h"
#include "bot/service/incident_service.h"
#include "commands/handlers.h"
#include "integrations/console/console_platform.h"
#include "integrations/slack/routes.h"
#include "integrations/slack/signature.h"
#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"
#include "tests/support/writer_gate.h"

using namespace muster;

namespace {

const std::string kSecret = "admission-secret";

struct Stack {
    test::TempDir dir;
    FakeClock clock{1'795'339'800'000};
    Config cfg = [] {
        Config c = default_config();
        c.slack.signing_secret = kSecret;
        return c;
    }();
    std::unique_ptr<Storage> storage;
    Templates templates;
    IncidentMessages messages{cfg, templates};
    Dispatch dispatch;
    std::ostringstream console;
    std::unique_ptr<IncidentService> service;
    std::unique_ptr<CommandHandlers> handlers;
    std::unique_ptr<Intake> intake;
    test::WriterGate writer;

    Stack(std::size_t max_queue, EpochMs deadline_ms) {
        StorageOptions o;
        o.path = dir.file("a.db");
        o.clock = &clock;
        o.max_queue = max_queue;
        storage = open_sqlite_storage(o);
        PluginContext ctx{cfg,           clock,         dispatch, storage.get(),
                          storage.get(), storage.get(), &messages};
        install_console(ctx, console);
        service = std::make_unique<IncidentService>(cfg, dispatch, *storage);
        handlers = std::make_unique<CommandHandlers>(cfg, *storage, *service, dispatch);
        intake = std::make_unique<Intake>(*handlers, *service, *storage, *storage, dispatch, clock,
                                          deadline_ms);
    }
    ~Stack() {
        release();
        storage->stop();
    }
    // Keeps the writer busy until release().
    void hold_writer() { writer.hold(*storage); }
    void release() { writer.release(); }
    // Sends a signed slash command through the route; the answer arrives through `out`.
    void declare(const std::string& title, std::promise<HttpResponse>& out) {
        HttpRequest r;
        r.method = "POST";
        r.path = "/slack/commands";
        r.body = "team_id=T1&user_id=U1&channel_id=C1&command=%2Fincident&trigger_id=" + title +
                 "&text=declare+P1+" + title;
        const std::string ts = std::to_string(clock.now_ms() / 1000);
        r.headers["x-slack-request-timestamp"] = ts;
        r.headers["x-slack-signature"] = slack::sign(kSecret, ts, r.body);
        slack::handle_command(cfg, clock, *intake, r,
                              [&out](HttpResponse resp) { out.set_value(resp); });
    }
    std::size_t incidents() { return storage->list(false, 100).size(); }
};

bool says_retry_after(const HttpResponse& r) {
    for (const auto& [k, v] : r.headers)
        if (k == "Retry-After" && v == "1") return true;
    return false;
}

}  // namespace

TEST(Admission, AFullWriteQueueIsAnswered503AndSavesNothing) {
    Stack s(/*max_queue=*/2, /*deadline_ms=*/0);
    s.hold_writer();
    std::promise<HttpResponse> first, second, third;
    s.declare("one", first);
    s.declare("two", second);
    s.declare("three", third);  // the queue holds two
    auto refused = third.get_future();
    ASSERT_EQ(refused.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    const HttpResponse r = refused.get();
    EXPECT_EQ(r.status, 503);
    EXPECT_TRUE(says_retry_after(r));
    EXPECT_NE(r.body.find("nothing was saved"), std::string::npos);
    s.release();
    EXPECT_EQ(first.get_future().get().status, 200);
    EXPECT_EQ(second.get_future().get().status, 200);
    EXPECT_EQ(s.incidents(), 2u);
    // Once there is room, the same command goes through.
    std::promise<HttpResponse> again;
    s.declare("three", again);
    EXPECT_EQ(again.get_future().get().status, 200);
    EXPECT_EQ(s.incidents(), 3u);
}

TEST(Admission, AWriteThatCannotBeginBeforeItsDeadlineIsAnswered503AndNeverRuns) {
    Stack s(/*max_queue=*/100, /*deadline_ms=*/2500);
    s.hold_writer();
    std::promise<HttpResponse> late;
    s.declare("late", late);
    s.clock.advance(2501);  // the writer is still busy when the answer is due
    s.release();
    const HttpResponse r = late.get_future().get();
    EXPECT_EQ(r.status, 503);
    EXPECT_TRUE(says_retry_after(r));
    EXPECT_EQ(s.incidents(), 0u);  // not saved after the client was told "busy"
    // Slack's retry of the same command (same trigger_id) is then decided afresh, once.
    std::promise<HttpResponse> retry;
    s.declare("late", retry);
    EXPECT_EQ(retry.get_future().get().status, 200);
    EXPECT_EQ(s.incidents(), 1u);
}
