// The real muster pages PagerDuty (a local fake that validates Events API v2), is killed with
// SIGKILL before the next page is due; while it is down the test moves that page's due_at into
// the past in the database (no waiting on the wall clock), and on restart the overdue page goes
// out exactly once.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include <SQLiteCpp/Statement.h>

#include "tests/e2e/e2e_support.h"
#include "tests/support/fake_pagerduty.h"

using namespace muster;
using namespace muster::test;

namespace {
int triggers_for(FakePagerDuty& pd, const std::string& contact) {
    int n = 0;
    for (const auto& e : pd.accepted())
        if (e["event_action"] == "trigger" &&
            e["dedup_key"].get<std::string>().find(":" + contact) != std::string::npos)
            ++n;
    return n;
}
// User + system CPU time the process has used so far, from /proc/<pid>/stat.
double cpu_ms_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may contain spaces.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; rest >> field && i <= 15; ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
    return ticks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}
// PagerDuty accepted the level-1 page and Muster recorded it as delivered.
bool level_one_recorded(FakePagerDuty& pd, const MusterServer& s) {
    if (!pd.wait_until([](FakePagerDuty& p) { return triggers_for(p, "oncall-primary") == 1; },
                       10'000))
        return false;
    for (int i = 0; i < 200; ++i) {
        if (s.rows_where("outbox", "destination = 'pagerduty' AND status = 'delivered'") > 0)
            return true;
        pd.wait_until([](FakePagerDuty&) { return false; }, 50);
    }
    return false;
}
std::string config(const FakePagerDuty& pd) {
    return "pagerduty: {events_url: " + pd.events_url() +
           "}\n"
           "contacts:\n"
           "  oncall-primary: {name: On-call, pagerduty_routing_key: " +
           std::string(32, 'a') +
           "}\n"
           "  eng-manager: {name: Manager, pagerduty_routing_key: " +
           std::string(32, 'b') +
           "}\n"
           "escalation:\n"
           "  ack_within: 1h\n"
           "  policies:\n"
           "    P1: [{after: 0s, notify: [oncall-primary]}, {after: 1h, notify: [eng-manager]}]\n"
           "outbox: {retry_base: 50ms, retry_max: 500ms}\n";
}
}  // namespace

TEST(EscalationE2E, KillNineBeforeAPageIsDueThenItGoesOutOnce) {
    FakePagerDuty pd;
    MusterServer s(config(pd));
    const auto r = s.command("declare P1 checkout API 5xx");
    ASSERT_EQ(r.status, 200);
    // Kill once the level-1 page is recorded as delivered, so what follows is only about level 2.
    // (Killed between PagerDuty's 202 and that record, the page would be sent again with the same
    // dedup_key, which PagerDuty folds into the same incident: see README, delivery guarantees.)
    ASSERT_TRUE(level_one_recorded(pd, s));
    s.proc->signal(SIGKILL);
    s.proc->wait_exit();
    // While Muster is down, level 2 (due in an hour) falls due: as if the hour had passed.
    {
        auto db = open_database({s.db()});
        SQLite::Statement st(*db,
                             "UPDATE timers SET due_at = ? WHERE kind = 'page' AND state = "
                             "'pending' AND json_extract(payload, '$.level') = 2");
        st.bind(1, static_cast<int64_t>(unix_now() * 1000 - 1000));
        ASSERT_EQ(st.exec(), 1);
    }
    s.start();
    ASSERT_NE(s.port, 0);
    ASSERT_TRUE(
        pd.wait_until([](FakePagerDuty& p) { return triggers_for(p, "eng-manager") == 1; }, 10'000))
        << s.proc->err();
    // An ack stops what is left, and PagerDuty hears it for every page sent.
    const std::string id = json_of(r)["text"].get<std::string>().substr(
        json_of(r)["text"].get<std::string>().find("INC-"), 16);
    EXPECT_EQ(s.command("ack " + id).status, 200);
    ASSERT_TRUE(pd.wait_until(
        [](FakePagerDuty& p) {
            int acks = 0;
            for (const auto& e : p.accepted()) acks += e["event_action"] == "acknowledge";
            return acks == 2;
        },
        10'000));
    s.proc->signal(SIGTERM);
    EXPECT_EQ(s.proc->wait_exit(), 0);
    EXPECT_EQ(triggers_for(pd, "oncall-primary"), 1);
    EXPECT_EQ(triggers_for(pd, "eng-manager"), 1);
    EXPECT_EQ(pd.rejected(), 0);
    EXPECT_EQ(s.rows_where("timeline", "type = 'page_delivered'"), 2);
}

TEST(EscalationE2E, PagerDutyOutagesAreRetriedAndRefusalsRecorded) {
    FakePagerDuty pd;
    pd.fail_next(2, 503);
    MusterServer s(config(pd));
    const std::string answer = json_of(s.command("declare P1 payments"))["text"];
    ASSERT_TRUE(pd.wait_until(
        [](FakePagerDuty& p) { return triggers_for(p, "oncall-primary") == 1; }, 10'000));
    pd.fail_next(1, 400);  // PagerDuty says the event is invalid: recorded, never retried
    ASSERT_EQ(s.command("page " + answer.substr(answer.find("INC-"), 16) + " eng-manager").status,
              200);
    ASSERT_TRUE(s.proc->wait_for_stderr("failed for good", 10'000)) << s.proc->err();
    s.proc->signal(SIGTERM);
    s.proc->wait_exit();
    EXPECT_EQ(s.rows_where("timeline", "type = 'page_retrying'"), 1);
    EXPECT_EQ(s.rows_where("timeline", "type = 'page_failed'"), 1);
    EXPECT_EQ(s.rows_where("outbox", "destination = 'pagerduty' AND status = 'failed'"), 1);
}

// With live timers, delivered pages and nothing due for an hour, the server must sleep: the timer
// loop and the outbox worker wait for the next due time or a commit that changed something, and
// their own read-only looks wake nobody (they once woke each other for ever: 1.2 cores, idle).
TEST(EscalationE2E, AnIdleServerSleeps) {
    FakePagerDuty pd;
    MusterServer s(config(pd));
    ASSERT_EQ(s.command("declare P1 checkout API 5xx").status, 200);
    ASSERT_TRUE(level_one_recorded(pd, s));
    const double before = cpu_ms_of(s.proc->pid());
    pd.wait_until([](FakePagerDuty&) { return false; }, 1500);  // a quiet 1.5 s
    const double used = cpu_ms_of(s.proc->pid()) - before;
    // A generous bound (20 % of one core, sanitizer builds included); a busy loop uses > 100 %.
    EXPECT_LT(used, 300.0) << "an idle muster used " << used << " ms of CPU in 1.5 s";
    s.proc->signal(SIGTERM);
    EXPECT_EQ(s.proc->wait_exit(), 0);
}
