// Whole escalations on a fake clock, in microseconds: no sleeping, every step asserted on the
// rows the engine writes (pages, outbox, timers, timeline) in a real SQLite file.
#include "bot/service/escalation.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>

#include "tests/support/core_world.h"

using namespace muster;

namespace {

const EpochMs kT0 = 1795339800000;  // 2026-11-22T09:30:00Z
const EpochMs kMin = 60'000, kHour = 60 * kMin;
const std::string kId = "INC-20261122-001";

Config escalation_config() {
    Config c = default_config();
    c.chat.console = false;
    c.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
    c.contacts["eng-manager"].pagerduty_routing_key = std::string(32, 'b');
    c.contacts["tech-director"].pagerduty_routing_key = std::string(32, 'c');
    return c;
}

struct World : test::CoreWorld {
    World() : test::CoreWorld(escalation_config(), kT0) {}
    // "L<level>.<attempt>@<minutes after declaration>" for every page, in order.
    std::vector<std::string> pages() {
        return q<std::vector<std::string>>([](SQLite::Database& db) {
            SQLite::Statement s(db,
                                "SELECT level, attempt, contact, at FROM pages ORDER BY at, id");
            std::vector<std::string> out;
            while (s.executeStep())
                out.push_back("L" + s.getColumn(0).getString() + "." + s.getColumn(1).getString() +
                              "@" + std::to_string((s.getColumn(3).getInt64() - kT0) / kMin) + "m");
            return out;
        });
    }
    std::vector<nlohmann::json> pagerduty() {
        return q<std::vector<nlohmann::json>>([](SQLite::Database& db) {
            SQLite::Statement s(
                db, "SELECT payload FROM outbox WHERE destination = 'pagerduty' ORDER BY id");
            std::vector<nlohmann::json> out;
            while (s.executeStep())
                out.push_back(nlohmann::json::parse(s.getColumn(0).getString())["body"]);
            return out;
        });
    }
};

}  // namespace

TEST(Escalation, UnacknowledgedP1ClimbsTheMatrixAndRepagesEachLevel) {
    World w;
    w.run("declare P1 checkout down");
    // Level 1 (after 0s) is paged in the declaration itself: nothing is left to fire at once.
    EXPECT_EQ(w.advance_to(kT0), 0u);
    EXPECT_EQ(w.pages(), (std::vector<std::string>{"L1.1@0m"}));
    // ack_within 5m: level 1 again, up to repeat_limit (3) times.
    for (EpochMs m = 1; m < 60; ++m) w.advance_to(kT0 + m * kMin);
    EXPECT_EQ(w.pages(), (std::vector<std::string>{"L1.1@0m", "L1.2@5m", "L1.3@10m", "L1.4@15m"}));
    w.advance_to(kT0 + kHour);  // level 2 at 1 h (seed 003)
    w.advance_to(kT0 + kHour + 5 * kMin);
    w.advance_to(kT0 + 4 * kHour);  // level 3 at 4 h
    const auto p = w.pages();
    EXPECT_EQ(p[4], "L2.1@60m");
    EXPECT_EQ(p[5], "L2.2@65m");
    EXPECT_NE(std::find(p.begin(), p.end(), "L3.1@240m"), p.end());
    // PagerDuty Events v2 triggers: routing key of the contact, stable dedup_key per contact.
    const auto pd = w.pagerduty();
    ASSERT_GE(pd.size(), 7u);
    EXPECT_EQ(pd[0]["event_action"], "trigger");
    EXPECT_EQ(pd[0]["routing_key"], std::string(32, 'a'));
    EXPECT_EQ(pd[0]["dedup_key"], "muster:" + kId + ":oncall-primary");
    EXPECT_EQ(pd[1]["dedup_key"], pd[0]["dedup_key"]);  // a repeat is the same PagerDuty incident
    EXPECT_EQ(pd[0]["payload"]["severity"], "error");   // P1
    EXPECT_EQ(pd[0]["payload"]["source"], "muster");
    EXPECT_EQ(pd[0]["payload"]["custom_details"]["incident_id"], kId);
    EXPECT_EQ(pd[4]["routing_key"], std::string(32, 'b'));
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'page_sent'"),
              static_cast<int>(p.size()));
}

TEST(Escalation, AnAckStopsEveryLaterPageInTheSameTransaction) {
    World w;
    w.run("declare P0 data loss");
    w.advance_to(kT0);
    w.advance_to(kT0 + 5 * kMin);
    w.clock.set(kT0 + 7 * kMin);
    EXPECT_FALSE(w.run("ack " + kId, "U0ONCALL").error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE kind = 'page' AND state = 'pending'"), 0);
    for (EpochMs m = 8; m < 48 * 60; m += 7) w.advance_to(kT0 + m * kMin);
    EXPECT_EQ(w.pages(), (std::vector<std::string>{"L1.1@0m", "L1.2@5m"}));
    const auto pd = w.pagerduty();
    ASSERT_EQ(pd.size(), 3u);
    EXPECT_EQ(pd[2]["event_action"], "acknowledge");
    EXPECT_EQ(pd[2]["dedup_key"], pd[0]["dedup_key"]);
    EXPECT_EQ(pd[0]["payload"]["severity"], "critical");  // P0
    EXPECT_EQ(
        w.count(
            "SELECT COUNT(*) FROM timeline WHERE type = 'pages_cancelled' AND actor = 'U0ONCALL'"),
        1);
}

TEST(Escalation, ResolveCancelsEverythingAndSchedulesTheReview) {
    World w;
    w.run("declare P1 api errors");
    w.advance_to(kT0);
    w.clock.set(kT0 + 20 * kMin);
    w.run("resolve " + kId + " rolled back");
    EXPECT_EQ(
        w.count("SELECT COUNT(*) FROM timers WHERE state = 'pending' AND kind <> 'pir_reminder'"),
        0);
    EXPECT_EQ(w.pagerduty().back()["event_action"], "resolve");
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM action_items WHERE text = 'Post-incident review' AND "
                      "due = '2026-11-24'"),
              1);
    w.advance_to(kT0 + 20 * kMin + 48 * kHour - 1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'reminder'"), 0);
    w.advance_to(kT0 + 20 * kMin + 48 * kHour);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'reminder' AND text = "
                      "'Post-incident review due'"),
              1);
    EXPECT_EQ(w.pages(), (std::vector<std::string>{"L1.1@0m"}));
}

TEST(Escalation, SeverityChangeReplansFromNow) {
    World w;
    w.run("declare P2 slow search");
    w.advance_to(kT0);  // L1 of P2
    w.clock.set(kT0 + 30 * kMin);
    w.run("severity " + kId + " P0");  // P0: level 2 at 15 m, counted from the change
    w.advance_to(kT0 + 44 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE level = 2"), 0);
    w.advance_to(kT0 + 45 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE level = 2"), 1);
    // P2's own level 2 (at 4 h) was replaced: no second level-2 page at 4 h.
    w.run("ack " + kId);
    w.advance_to(kT0 + 5 * kHour);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE level = 2"), 1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'escalation_replanned'"), 1);
}

TEST(Escalation, OverdueTimersFireOnceAfterARestart) {
    World w;
    w.run("declare P1 checkout down");
    w.restart();  // down before anything fired, back 5 hours later
    // L1, L2, L3, the IC nudge and the status reminder are all overdue: each fires once.
    EXPECT_EQ(w.advance_to(kT0 + 5 * kHour), 5u);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE attempt = 1"), 3);
    EXPECT_EQ(w.advance_to(kT0 + 5 * kHour), 0u);  // firing again does nothing
    w.restart();
    EXPECT_EQ(w.advance_to(kT0 + 5 * kHour), 0u);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE attempt = 1"), 3);
}

TEST(Escalation, ATimerWhoseWorkFailsRollsBackAlone) {
    World w;
    w.run("declare P1 one");
    w.run("declare P1 two");
    // Break the first incident's repeat page: its decision cannot be made (an unreadable
    // payload) or not written (the trigger): the timer is marked failed, and the other incident's
    // repeat still goes out.
    w.q<int>([](SQLite::Database& db) {
        db.exec(
            "UPDATE timers SET payload = 'not json' WHERE incident_id = 'INC-20261122-001' AND "
            "kind = 'page' AND key LIKE 'L1.2@%'");
        db.exec(
            "CREATE TRIGGER boom BEFORE INSERT ON pages WHEN NEW.incident_id = 'INC-20261122-001' "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END");
        return 0;
    });
    w.advance_to(kT0 + 5 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE incident_id = 'INC-20261122-002'"), 2);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE incident_id = 'INC-20261122-001'"), 1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE state = 'failed'"), 1);
    // A valid timer whose effects cannot be written fails alone as well.
    w.q<int>([](SQLite::Database& db) {
        db.exec(
            "UPDATE timers SET due_at = 0 WHERE incident_id = 'INC-20261122-001' AND kind = "
            "'ic_nudge'");
        db.exec(
            "CREATE TRIGGER boom2 BEFORE INSERT ON timeline WHEN NEW.incident_id = "
            "'INC-20261122-001' AND NEW.type = 'reminder' BEGIN SELECT RAISE(ABORT, 'boom'); END");
        return 0;
    });
    w.advance_to(kT0 + 6 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE state = 'failed'"), 2);
    // ...and the people on the incident see it on its timeline, not only in a log.
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE incident_id = 'INC-20261122-001' AND "
                      "type = 'timer_failed' AND text LIKE 'Could not act on the page due at%'"),
              1);
}

TEST(Escalation, ReopenAndResolveAgainKeepsOneReviewAndOneReminder) {
    World w;
    w.run("declare P1 api errors");
    w.run("resolve " + kId);
    w.clock.set(kT0 + kHour);
    w.run("reopen " + kId + " errors are back");
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE kind = 'pir_reminder' AND state = "
                      "'pending'"),
              0);
    w.clock.set(kT0 + 2 * kHour);
    w.run("resolve " + kId);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM action_items WHERE text = 'Post-incident review'"), 1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE kind = 'pir_reminder' AND state = "
                      "'pending'"),
              1);
    w.advance_to(kT0 + 2 * kHour + 48 * kHour);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE text = 'Post-incident review due'"), 1);
}

TEST(Escalation, RemindersForUpdatesAndAMissingIc) {
    World w;
    w.run("declare P1 db latency");  // P1: update_every 1h; IC nudge after 10 m
    w.advance_to(kT0 + 10 * kMin);
    EXPECT_EQ(
        w.count(
            "SELECT COUNT(*) FROM timeline WHERE type = 'reminder' AND text = 'No IC assigned'"),
        1);
    w.clock.set(kT0 + 30 * kMin);
    w.run("update " + kId + " identified hot partition");  // pushes the status reminder to 1h30
    w.run("role " + kId + " ic me");
    w.advance_to(kT0 + 89 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'reminder' AND text = 'Status "
                      "update reminder'"),
              0);
    w.advance_to(kT0 + 90 * kMin);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'reminder' AND text = 'Status "
                      "update reminder'"),
              1);
    w.advance_to(kT0 + 150 * kMin);  // and every hour after while nobody updates
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'reminder' AND text = 'Status "
                      "update reminder'"),
              2);
}

TEST(Escalation, PageCommandPagesNow) {
    World w;
    w.cfg.chat.console = true;
    w.run("declare P1 queue stuck");
    w.advance_to(kT0);
    const Reply r = w.run("page " + kId + " 2");
    EXPECT_FALSE(r.error) << r.text;
    EXPECT_NE(r.text.find("level 2"), std::string::npos);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages WHERE level = 2"), 1);
    EXPECT_FALSE(w.run("page " + kId + " eng-manager").error);
    EXPECT_TRUE(w.run("page " + kId + " 9").error);
    EXPECT_TRUE(w.run("page " + kId + " nobody-here").error);
    EXPECT_EQ(
        w.count("SELECT COUNT(*) FROM timeline WHERE type = 'page_sent' AND actor = 'U0ALICE'"), 2);
}

// PagerDuty was down (or Slack rate-limited): the pages are still queued when someone acks. They
// must not go out afterwards and wake people for a handled incident; PagerDuty still hears the
// acknowledge for every dedup_key, in the same queue behind them.
TEST(Escalation, AnAckWithdrawsPagesStillQueuedForDelivery) {
    World w;
    w.cfg.slack.bot_token = "xoxb-test";
    w.cfg.contacts["oncall-primary"].slack_user = "U0ONCALL";
    w.run("declare P1 checkout down");
    w.advance_to(kT0);
    // Nothing has been delivered: the PagerDuty trigger and the Slack DM wait in the outbox.
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND status = 'pending'"), 2);
    // One of them was already out before the ack: it keeps its real outcome.
    {
        DeliveryOutcome out;
        out.id =
            w.count("SELECT MIN(id) FROM outbox WHERE kind = 'page' AND destination = 'pagerduty'");
        out.kind = DeliveryOutcome::Kind::delivered;
        out.detail = "202";
        out.at = kT0 + 1000;
        std::promise<bool> recorded;
        w.storage->record({out}, [&recorded](bool ok) { recorded.set_value(ok); });
        ASSERT_TRUE(recorded.get_future().get());
    }
    w.advance_to(kT0 + 5 * kMin);  // a repeat of level 1, queued too
    w.clock.set(kT0 + 6 * kMin);
    EXPECT_FALSE(w.run("ack " + kId, "U0ONCALL").error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND status = 'pending'"), 0);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND status = 'withdrawn' "
                      "AND last_error = 'acknowledged'"),
              3);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND status = 'delivered'"),
              1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'pagerduty_acknowledge' AND "
                      "status = 'pending'"),
              1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'pages_withdrawn' AND actor = "
                      "'U0ONCALL' AND text LIKE '3 queued page%'"),
              1);
    // The acknowledge is still delivered after the withdrawn rows: they no longer block the queue.
    OutboxPort& outbox = *w.storage;
    const auto due = outbox.due("pagerduty", kPagePriority, kT0 + 7 * kMin, 10);
    ASSERT_FALSE(due.empty());
    bool ack_due = false;
    for (const auto& item : due) ack_due |= item.kind == "pagerduty_acknowledge";
    EXPECT_TRUE(ack_due);
}

TEST(Escalation, ResolveWithdrawsQueuedPagesToo) {
    World w;
    w.run("declare P0 data loss");
    w.advance_to(kT0);
    w.clock.set(kT0 + kMin);
    w.run("resolve " + kId + " false alarm");
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND status = 'withdrawn' "
                      "AND last_error = 'resolved'"),
              1);
    EXPECT_EQ(w.pagerduty().back()["event_action"], "resolve");
}

// A page by hand is someone asking for a person now: each opens its own PagerDuty alert (a
// planned repeat folds into the open one), even after an acknowledge; and a target nothing can
// reach is refused instead of answered with "paging".
TEST(Escalation, PagesByHandOpenTheirOwnPagerDutyAlerts) {
    World w;
    w.run("declare P1 queue stuck");
    w.advance_to(kT0);
    w.run("ack " + kId);
    EXPECT_FALSE(w.run("page " + kId + " eng-manager").error);
    EXPECT_FALSE(w.run("page " + kId + " eng-manager").error);
    EXPECT_FALSE(w.run("page " + kId + " L1").error);
    std::vector<std::string> triggers;
    for (const auto& e : w.pagerduty())
        if (e["event_action"] == "trigger") triggers.push_back(e["dedup_key"]);
    const std::string base = "muster:" + kId + ":";
    EXPECT_EQ(triggers, (std::vector<std::string>{
                            base + "oncall-primary", base + "eng-manager:hand-1",
                            base + "eng-manager:hand-2", base + "oncall-primary:hand-L1-1"}));
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'page_sent' AND text LIKE "
                      "'%by hand%'"),
              3);
    // Resolving closes every alert Muster opened.
    w.run("resolve " + kId);
    std::set<std::string> resolved;
    for (const auto& e : w.pagerduty())
        if (e["event_action"] == "resolve") resolved.insert(e["dedup_key"]);
    EXPECT_EQ(resolved, std::set<std::string>(triggers.begin(), triggers.end()));
}

TEST(Escalation, APageThatWouldReachNobodyIsRefused) {
    World w;                                    // no console, no Slack
    w.cfg.contacts["exec"].name = "Executive";  // no method at all
    w.run("declare P1 queue stuck");
    const int before = w.count("SELECT COUNT(*) FROM pages");
    const Reply r = w.run("page " + kId + " exec");
    EXPECT_TRUE(r.error);
    EXPECT_NE(r.text.find("Nothing would reach Executive"), std::string::npos) << r.text;
    EXPECT_TRUE(w.run("page " + kId + " @someone").error);
    EXPECT_TRUE(w.run("page " + kId + " U0BOB").error);  // a bare word is never a user
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages"), before);
    // With Slack configured, a mention (U… after the parser) is reached by DM.
    w.cfg.slack.bot_token = "xoxb-test";
    EXPECT_FALSE(w.run("page " + kId + " <@U0BOB|bob>").error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE kind = 'page' AND channel_key = "
                      "'slack:dm:U0BOB'"),
              1);
}

// Review finding: P2 declared, L1 paged, raised to P0 at 2 min — L1's repeats were cancelled and
// nobody was paged until P0's L2 at 17 min. The unacknowledged level keeps being chased.
TEST(Escalation, RaisingTheSeverityKeepsChasingTheUnacknowledgedLevel) {
    World w;
    w.run("declare P2 slow search");
    w.advance_to(kT0);  // L1 of P2
    w.clock.set(kT0 + 2 * kMin);
    w.run("severity " + kId + " P0");
    for (EpochMs m = 3; m <= 17; ++m) w.advance_to(kT0 + m * kMin);
    EXPECT_EQ(w.pages(),
              (std::vector<std::string>{"L1.1@0m", "L1.2@5m", "L1.3@10m", "L1.4@15m", "L2.1@17m"}));
    // Raised while nobody has been paged yet (a first level that waits): the new plan from now.
    World quiet;
    quiet.cfg.escalation.policies["P3"] = {{10 * kMin, {"oncall-primary"}}};
    quiet.run("declare P3 cosmetic");
    quiet.clock.set(kT0 + kMin);
    quiet.run("severity " + kId + " P1");  // P1's level 1 (after 0s) is paged at the change
    for (EpochMs m = 2; m <= 10; ++m) quiet.advance_to(kT0 + m * kMin);  // P3's L1 replaced
    EXPECT_EQ(quiet.pages(), (std::vector<std::string>{"L1.1@1m", "L1.2@6m"}));
}

// Review finding: with P0 defaults, L1's last repeat (due at 15 m) and L2's first page (due at
// 15 m) fire in one batch; L2 cancels L1's repeats, and the cancelled one must not fire after.
TEST(Escalation, ATimerCancelledEarlierInTheSameBatchDoesNotFire) {
    World w;
    w.run("declare P0 payments down");
    w.advance_to(kT0);
    w.advance_to(kT0 + 5 * kMin);
    w.advance_to(kT0 + 10 * kMin);
    w.advance_to(kT0 + 16 * kMin);  // L1.4 and L2.1 both due: one batch
    const auto p = w.pages();
    EXPECT_EQ(std::count(p.begin(), p.end(), "L2.1@16m"), 1);
    EXPECT_EQ(std::count(p.begin(), p.end(), "L1.4@16m"), 0) << ::testing::PrintToString(p);
}

// `/incident page Level2`, `Eng-manager` or `L2.` used to DM a made-up Slack user and answer
// "Paging". A level or contact in any case pages it; anything else is refused with the choices.
TEST(Escalation, PageTargetsAreLevelsContactsOrMentionsAndNothingElse) {
    World w;
    w.cfg.slack.bot_token = "xoxb-test";
    w.run("declare P1 queue stuck");
    w.advance_to(kT0);
    const int before = w.count("SELECT COUNT(*) FROM pages");
    for (const char* level : {"Level2", "level2", "L2", "l2", "2"}) {
        const Reply r = w.run("page " + kId + " " + level);
        EXPECT_FALSE(r.error) << level << ": " << r.text;
        EXPECT_NE(r.text.find("level 2"), std::string::npos) << r.text;
    }
    const Reply c = w.run("page " + kId + " Eng-Manager");
    EXPECT_FALSE(c.error) << c.text;
    EXPECT_NE(c.text.find("Engineering manager"), std::string::npos) << c.text;
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages") - before, 6);
    for (const char* wrong : {"L2.", "Level9", "UNKNOWN", "@bob", "Bogus-Team", "U0NOTANID"}) {
        const Reply r = w.run("page " + kId + " " + wrong);
        EXPECT_TRUE(r.error) << wrong;
        EXPECT_NE(r.text.find("You can page a level of P1 (1–4"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("oncall-primary"), std::string::npos) << r.text;
    }
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE channel_key LIKE 'slack:dm:%' AND "
                      "channel_key NOT IN ('slack:dm:U0BOB')"),
              0);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM pages") - before, 6);
    // A real mention (decoded from Slack as @U… of Slack's id shape) is a person, by DM.
    EXPECT_FALSE(w.run("page " + kId + " @U0BOB1").error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM outbox WHERE channel_key = 'slack:dm:U0BOB1'"), 1);
}

// Severities are configuration: a deployment naming them SEV1–SEV4 pages with the right
// PagerDuty severity and schedules reviews by its own rule.
TEST(Escalation, SeverityNamesAreConfiguration) {
    const auto parsed = parse_config(
        "severities:\n  SEV1: {name: Critical}\n  SEV2: {name: Major}\n  SEV3: {name: Minor, "
        "review_within: 5d}\n  SEV4: {name: Low, pagerduty_severity: warning}\n",
        "sev.yaml", [](const std::string&) { return std::nullopt; });
    ASSERT_TRUE(parsed.ok()) << parsed.errors[0].to_string();
    World w;
    w.cfg = parsed.config;
    w.cfg.chat.console = false;
    w.cfg.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
    const std::vector<std::pair<std::string, std::string>> expect = {
        {"SEV1", "critical"}, {"SEV2", "error"}, {"SEV3", "warning"}, {"SEV4", "warning"}};
    for (const auto& [sev, pd] : expect) {
        const Reply r = w.run("declare " + sev + " thing " + sev);
        ASSERT_FALSE(r.error) << r.text;
    }
    w.advance_to(kT0);
    const auto events = w.pagerduty();
    ASSERT_EQ(events.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(events[i]["payload"]["severity"], expect[i].second) << expect[i].first;
    // Reviews: SEV1 and SEV2 (rank of P0/P1: 48 h), SEV3 by its own 5 d, SEV4 none.
    for (int i = 1; i <= 4; ++i)
        EXPECT_FALSE(w.run("resolve INC-20261122-00" + std::to_string(i)).error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM action_items WHERE text = 'Post-incident review'"), 3);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE kind = 'pir_reminder' AND incident_id = "
                      "'INC-20261122-003' AND due_at = " +
                      std::to_string(kT0 + 5 * 24 * kHour)),
              1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE kind = 'pir_reminder' AND incident_id = "
                      "'INC-20261122-004'"),
              0);
}
