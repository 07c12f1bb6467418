// Reports across incidents, from incidents played on the fake clock over a real SQLite file:
// counts, percentiles, the comparison with the period before, pages outside working hours,
// overdue action items, drills and declined incidents left out; and the three formats.
#include "bot/messages/report.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "bot/messages/documents.h"
#include "tests/support/core_world.h"

using namespace muster;

namespace {

const EpochMs kMin = 60'000, kDay = 86'400'000;
// 00:00 UTC of day d of November 2026 (the 22nd is a Sunday).
EpochMs nov(int d, int hour = 0, int minute = 0) {
    return 1795305600000 + (d - 22) * kDay + hour * 60 * kMin + minute * kMin;
}

Config report_config() {
    Config c = default_config();
    c.chat.console = false;
    c.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
    c.contacts["eng-manager"].pagerduty_routing_key = std::string(32, 'b');
    c.reports.work_start_hour = 9;
    c.reports.work_end_hour = 18;
    c.reports.work_days = {1, 2, 3, 4, 5};
    return c;
}

struct Month : test::CoreWorld {
    Month() : test::CoreWorld(report_config(), nov(10, 9)) {
        // The period before: one P1, acknowledged after 10 minutes, resolved after 2 hours.
        play("INC-20261110-001", "declare P1 search down", nov(10, 9), 10, -1, 120);
        // This period (16th–30th).
        play("INC-20261122-001", "declare P1 checkout 5xx", nov(22, 9, 30), 4, 10, 30);  // Sunday
        play("INC-20261123-001", "declare P1 login slow", nov(23, 10), 8, 20, 60);
        play("INC-20261123-002", "declare P2 emails late", nov(23, 12), 2, -1, 10);
        play("INC-20261124-001", "declare --drill P1 game day", nov(24, 10), 1, -1, 2);
        play("INC-20261124-002", "declare P2 canary noise", nov(24, 11), -1, -1, -1);
        expect("decline INC-20261124-002 not user facing");
        // Action items: one overdue, one done (not overdue), one of the drill (left out).
        expect("action INC-20261123-001 fix the pool size @U0BOB due:2026-11-25");
        expect("action INC-20261123-002 alert on mail lag due:2026-11-26");
        expect("action INC-20261123-002 done 1");
        expect("action INC-20261124-001 write the game day notes due:2026-11-25");
        advance_to(nov(30, 8));
    }
    // Declares at `at`; acknowledges, reaches Monitoring and resolves after so many minutes
    // (-1: never).
    void play(const std::string& id, const std::string& declare, EpochMs at, int ack, int monitor,
              int resolve) {
        advance_to(at);
        expect(declare);
        std::vector<std::pair<int, std::string>> steps;
        if (ack >= 0) steps.push_back({ack, "ack " + id});
        if (monitor >= 0) steps.push_back({monitor, "update " + id + " monitoring fixed"});
        if (resolve >= 0) steps.push_back({resolve, "resolve " + id});
        std::sort(steps.begin(), steps.end());
        for (const auto& [after, cmd] : steps) {
            advance_to(at + after * kMin);
            expect(cmd);
        }
    }
    void expect(const std::string& text) {
        const Reply r = run(text);
        ASSERT_FALSE(r.error) << text << " → " << r.text;
    }
    Report report() {
        return build_report(*storage, *storage, cfg, TimeZone::utc(), nov(16), nov(30),
                            clock.now_ms());
    }
    int pages_of(const std::string& id) {
        return count("SELECT COUNT(*) FROM pages WHERE incident_id = '" + id + "'");
    }
};

const SeverityNumbers& row(const Report& r, const std::string& sev) {
    for (const auto& n : r.by_severity)
        if (n.severity == sev) return n;
    throw std::runtime_error("no row " + sev);
}

}  // namespace

TEST(Report, NumbersLeaveOutDrillsAndDeclinedAndCompareWithThePeriodBefore) {
    Month m;
    const Report r = m.report();
    EXPECT_EQ(r.incidents, 3);
    EXPECT_EQ(r.drills_left_out, 1);
    EXPECT_EQ(r.declined_left_out, 1);
    EXPECT_EQ(r.still_open, 0);
    EXPECT_EQ(r.by_source.at("slack"), 3);

    // P1: acknowledged after 4 and 8 minutes (nearest rank: p50 4m, p90 8m).
    const auto& p1 = row(r, "P1");
    EXPECT_EQ(p1.incidents, 2);
    EXPECT_EQ(p1.mtta.p50, 4 * kMin);
    EXPECT_EQ(p1.mtta.p90, 8 * kMin);
    EXPECT_EQ(p1.mttm.p50, 10 * kMin);
    EXPECT_EQ(p1.mttr.p90, 60 * kMin);
    const auto& all = row(r, "all");
    EXPECT_EQ(all.incidents, 3);
    EXPECT_EQ(all.mtta.p50, 4 * kMin);   // 2, 4, 8
    EXPECT_EQ(all.mttr.p50, 30 * kMin);  // 10, 30, 60
    EXPECT_EQ(all.mttm.count, 3);        // resolving without Monitoring mitigates at the resolution
    EXPECT_EQ(all.mttm.p50, 10 * kMin);  // 10, 10, 20
    EXPECT_EQ(row(r, "P0").incidents, 0);
    EXPECT_FALSE(row(r, "P0").mtta.p50);

    // The period before: one incident, resolved after 2 hours.
    EXPECT_EQ(r.previous.incidents, 1);
    EXPECT_EQ(r.previous.mttr.p50, 120 * kMin);

    // Pages: the Sunday incident's all outside working hours, the Monday ones inside.
    const int sunday = m.pages_of("INC-20261122-001");
    const int monday = m.pages_of("INC-20261123-001") + m.pages_of("INC-20261123-002");
    ASSERT_GT(sunday, 0);
    ASSERT_GT(monday, 0);
    ASSERT_GT(m.pages_of("INC-20261124-001"), 0);  // the drill paged too, and is left out
    EXPECT_EQ(r.pages, sunday + monday);
    EXPECT_EQ(r.pages_out_of_hours, sunday);
    ASSERT_FALSE(r.pages_per_contact.empty());
    EXPECT_EQ(r.pages_per_contact[0].contact, "oncall-primary");

    // Overdue, any incident's, oldest due first: the three P1 reviews (48 h after resolving) and
    // the open item due on the 25th; not the done one, not the drill's review or notes.
    std::vector<std::string> overdue;
    for (const auto& [a, title] : r.overdue) overdue.push_back(a.incident_id + " " + a.text);
    EXPECT_EQ(overdue,
              (std::vector<std::string>{
                  "INC-20261110-001 Post-incident review", "INC-20261122-001 Post-incident review",
                  "INC-20261123-001 Post-incident review", "INC-20261123-001 fix the pool size"}));
    EXPECT_EQ(r.overdue[3].second, "login slow");
}

TEST(Report, WorkingHoursFollowTheConfiguredZoneAndDays) {
    Month m;
    // Sunday is a working day here, and the day runs 06:00–12:00 New York (11:00–17:00 UTC):
    // the Sunday 09:30 UTC pages (04:30 in New York) are still outside; Monday 10:00 and 12:00
    // UTC are 05:00 and 07:00 in New York, so the 10:00 ones are outside too.
    m.cfg.reports.timezone = "America/New_York";
    m.cfg.reports.work_days = {1, 2, 3, 4, 5, 6, 7};
    m.cfg.reports.work_start_hour = 6;
    m.cfg.reports.work_end_hour = 12;
    const Report r = m.report();
    EXPECT_EQ(r.pages_out_of_hours,
              m.pages_of("INC-20261122-001") + m.pages_of("INC-20261123-001"));
    EXPECT_EQ(r.working_hours, "Mon–Sun 06:00–12:00 America/New_York");
}

TEST(Report, EveryFormatSaysWhetherWeAreFaster) {
    Month m;
    const Report r = m.report();
    const std::string md = report_document(r, DocFormat::markdown, m.templates).body;
    EXPECT_NE(md.find("| MTTR p50 | 30m 00s | 2h 00m 00s | −75% (faster) |"), std::string::npos)
        << md;
    EXPECT_NE(md.find("Left out of every number: 1 drill(s), 1 declined."), std::string::npos);
    EXPECT_NE(md.find("fix the pool size"), std::string::npos);
    EXPECT_EQ(md.find("game day"), std::string::npos);

    const std::string html = report_document(r, DocFormat::html, m.templates).body;
    m.dir.write("report.html", html);
    EXPECT_EQ(std::system(("xmllint --noout " + m.dir.file("report.html")).c_str()), 0);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("class=\"mttr\""), std::string::npos);  // the trend line is drawn

    const std::string json = report_document(r, DocFormat::json, m.templates).body;
    m.dir.write("report.json", json);
    EXPECT_EQ(std::system(("python3 " + std::string(MUSTER_SOURCE_DIR) +
                           "/tests/tools/validate_json.py " + MUSTER_SOURCE_DIR +
                           "/templates/report.schema.json " + m.dir.file("report.json"))
                              .c_str()),
              0);
    const auto j = nlohmann::json::parse(json);
    EXPECT_EQ(j["format"], "muster.report.v1");
    EXPECT_EQ(j["incidents"], 3);
    EXPECT_EQ(j["previous_period"]["mttr"]["p50_seconds"], 7200);
    EXPECT_EQ(j["left_out"]["drills"], 1);
    EXPECT_EQ(j["trend"].size(), 14u);  // a bucket per day for two weeks
}

TEST(Report, PercentilesAreNearestRank) {
    EXPECT_FALSE(duration_stats({}).p50);
    EXPECT_EQ(duration_stats({5}).p90, 5);
    const auto s = duration_stats({10, 1, 7, 3, 9, 2, 8, 4, 6, 5});
    EXPECT_EQ(s.p50, 5);
    EXPECT_EQ(s.p90, 9);
    EXPECT_EQ(s.count, 10);
}

TEST(Report, DeclineResolvesWithoutAReviewAndReopenCountsItAgain) {
    test::CoreWorld w(report_config(), nov(22, 9));
    ASSERT_FALSE(w.run("declare P1 canary noise").error);
    const Reply r = w.run("decline INC-20261122-001 duplicate of a known alert");
    ASSERT_FALSE(r.error) << r.text;
    EXPECT_NE(r.text.find("not an incident"), std::string::npos);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM incidents WHERE declined = 1 AND status = 'resolved'"),
              1);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM action_items"), 0);  // a P1, yet no review
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timers WHERE state = 'pending'"), 0);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM timeline WHERE type = 'declined'"), 1);
    ASSERT_FALSE(w.run("reopen INC-20261122-001 it was real").error);
    EXPECT_EQ(w.count("SELECT COUNT(*) FROM incidents WHERE declined = 0"), 1);
    const Report rep =
        build_report(*w.storage, *w.storage, w.cfg, TimeZone::utc(), nov(22), nov(23), nov(22, 10));
    EXPECT_EQ(rep.incidents, 1);
    EXPECT_EQ(rep.declined_left_out, 0);
}
