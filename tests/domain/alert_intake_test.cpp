// The alert intake service's decisions as plain values (issue 9): groups open, join, update and
// resolve incidents by fingerprint; storms stay a handful of messages; PagerDuty's actions and
// heartbeats. No database: each test hands it what storage would have read.
#include "bot/service/alert_intake.h"

#include <gtest/gtest.h>

#include <map>

#include "bot/runtime/dispatch.h"

using namespace muster;

namespace {

const EpochMs kT0 = 1795339800000;  // 2026-11-22T09:30:00Z

struct FakeSequences final : Sequences {
    std::map<std::string, std::int64_t> ids;
    std::int64_t next_incident_seq(const std::string& day) override { return ++ids[day]; }
    int next_channel_suffix(const std::string&, const std::string&) override { return 1; }
};

struct Fixture {
    Config cfg = [] {
        Config c = default_config();
        c.correlation.labels = {"service"};
        return c;
    }();
    FakeSequences seq;
    Dispatch dispatch;
    IncidentService service{cfg, dispatch, seq};
    AlertIntake intake{cfg, service};

    // What storage would read back for the group after applying `fx`.
    GroupState after(const Effects& fx, const std::string& source, const std::string& group) {
        GroupState st;
        std::string incident;
        for (const auto& l : fx.links)
            if (l.source == source && l.external_id == group) incident = l.incident_id;
        if (!incident.empty()) {
            st.link = IncidentLink{source, group, incident, "{}", std::nullopt, false, kT0};
            IncidentState s;
            s.incident = fx.created ? *fx.created : *fx.updated;
            s.incident.version = 1;
            st.incident = s;
        }
        for (const auto& a : fx.alerts)
            st.alerts.push_back({a.fingerprint, a.status, a.summary, a.incident_id, {}, kT0, kT0});
        return st;
    }
};

AlertEvent alert(const std::string& fp, bool firing, const std::string& summary,
                 const std::string& severity = "critical", Labels labels = {}) {
    AlertEvent a;
    a.fingerprint = fp;
    a.firing = firing;
    a.summary = summary;
    a.severity = severity;
    a.labels = std::move(labels);
    a.labels["severity"] = severity;
    return a;
}

AlertGroup group(std::vector<AlertEvent> alerts, const std::string& key = "{}:{alertname=\"X\"}") {
    AlertGroup g;
    g.source = "alertmanager";
    g.group_key = key;
    g.title = "checkout latency";
    g.alerts = std::move(alerts);
    g.at = kT0;
    return g;
}

int count_type(const Effects& fx, const std::string& type) {
    int n = 0;
    for (const auto& e : fx.timeline) n += e.type == type;
    return n;
}

}  // namespace

TEST(AlertIntake, AFiringGroupDeclaresOneLinkedIncidentAtItsMappedSeverity) {
    Fixture f;
    const auto g =
        group({alert("fp1", true, "HighLatency", "warning", {{"service", "checkout"}}),
               alert("fp2", true, "HighLatency", "critical", {{"service", "checkout"}})});
    const Decision d = f.intake.on_group(g, {}, kT0);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(d.effects.created);
    EXPECT_EQ(d.effects.created->severity, "P1");  // the most severe of the firing alerts
    EXPECT_EQ(d.effects.created->source, "alertmanager");
    EXPECT_EQ(d.effects.created->title, "checkout latency");
    ASSERT_EQ(d.effects.links.size(), 2u);
    EXPECT_EQ(d.effects.links[0].external_id, g.group_key);
    EXPECT_FALSE(d.effects.links[0].expected);  // there must be no link yet: racing deliveries
    EXPECT_EQ(d.effects.links[1].source, "correlation");
    EXPECT_EQ(d.effects.links[1].external_id, "service=checkout");
    // Two alerts with the same summary are two alerts: each by its fingerprint.
    ASSERT_EQ(d.effects.alerts.size(), 2u);
    EXPECT_NE(d.effects.alerts[0].fingerprint, d.effects.alerts[1].fingerprint);
    EXPECT_EQ(count_type(d.effects, "alert_firing"), 2);
}

TEST(AlertIntake, BelowEveryThresholdTheAlertsAreOnlyRecorded) {
    Fixture f;
    const Decision d = f.intake.on_group(group({alert("fp1", true, "DiskSlow", "info")}), {}, kT0);
    EXPECT_FALSE(d.effects.created);
    EXPECT_TRUE(d.effects.notifications.empty());
    ASSERT_EQ(d.effects.alerts.size(), 1u);
    EXPECT_EQ(d.effects.alerts[0].incident_id, "");
}

TEST(AlertIntake, AMixedGroupStaysOpenAndResolvesWhenEveryAlertHas) {
    Fixture f;
    const auto g1 = group({alert("a", true, "Errors"), alert("b", true, "Errors")});
    const Decision opened = f.intake.on_group(g1, {}, kT0);
    GroupState st = f.after(opened.effects, "alertmanager", g1.group_key);
    // The notification says "resolved" at the top but one alert still fires: not trusted alone.
    auto g2 = group({alert("a", false, "Errors"), alert("b", true, "Errors")});
    const Decision mixed = f.intake.on_group(g2, st, kT0 + 1000);
    ASSERT_TRUE(mixed.ok());
    ASSERT_TRUE(mixed.effects.updated);
    EXPECT_NE(mixed.effects.updated->status, Status::resolved);
    EXPECT_EQ(count_type(mixed.effects, "alert_resolved"), 1);
    ASSERT_EQ(mixed.effects.notifications.size(), 1u);
    const auto& n = std::get<AlertsChanged>(mixed.effects.notifications[0]);
    EXPECT_EQ(n.firing, 1);
    EXPECT_EQ(n.resolved, 1);
    ASSERT_EQ(n.lines.size(), 1u);
    EXPECT_EQ(n.lines[0].rfind("✅ resolved: Errors", 0), 0u) << n.lines[0];
    // A repeat of the same state changes no state and posts nothing.
    GroupState st2 = st;
    st2.alerts = {{"a", "resolved", "Errors", st.incident->incident.id, {}, kT0, kT0},
                  {"b", "firing", "Errors", st.incident->incident.id, {}, kT0, kT0}};
    EXPECT_TRUE(f.intake.on_group(g2, st2, kT0 + 2000).effects.notifications.empty());
    // The last one resolves: so does the incident.
    const Decision done = f.intake.on_group(group({alert("b", false, "Errors")}), st2, kT0 + 3000);
    ASSERT_TRUE(done.effects.updated);
    EXPECT_EQ(done.effects.updated->status, Status::resolved);
    EXPECT_EQ(count_type(done.effects, "resolved"), 1);
    // …unless another group linked to the same incident still fires.
    st2.firing_elsewhere = 1;
    const Decision held = f.intake.on_group(group({alert("b", false, "Errors")}), st2, kT0 + 3000);
    EXPECT_NE(held.effects.updated->status, Status::resolved);
}

TEST(AlertIntake, AnnotateLeavesResolvingToPeople) {
    Fixture f;
    f.cfg.alertmanager.on_resolved = "annotate";
    const auto g1 = group({alert("a", true, "Errors")});
    GroupState st = f.after(f.intake.on_group(g1, {}, kT0).effects, "alertmanager", g1.group_key);
    const Decision d = f.intake.on_group(group({alert("a", false, "Errors")}), st, kT0 + 1000);
    EXPECT_NE(d.effects.updated->status, Status::resolved);
    EXPECT_EQ(count_type(d.effects, "alerts_all_resolved"), 1);
}

TEST(AlertIntake, AGroupSharingACorrelationValueJoinsTheOpenIncidentAndSaysWhy) {
    Fixture f;
    const auto first =
        group({alert("a", true, "Errors", "critical", {{"service", "checkout"}})}, "group-1");
    const Decision opened = f.intake.on_group(first, {}, kT0);
    GroupState st;
    st.correlated = f.after(opened.effects, "alertmanager", "group-1").incident;
    st.correlated_by = "service=checkout";
    const auto second =
        group({alert("z", true, "Latency", "critical", {{"service", "checkout"}})}, "group-2");
    const Decision joined = f.intake.on_group(second, st, kT0 + 1000);
    EXPECT_FALSE(joined.effects.created);  // no second incident
    ASSERT_EQ(joined.effects.links.size(), 1u);
    EXPECT_EQ(joined.effects.links[0].external_id, "group-2");
    EXPECT_EQ(joined.effects.links[0].incident_id, opened.effects.created->id);
    ASSERT_EQ(count_type(joined.effects, "alerts_joined"), 1);
    for (const auto& e : joined.effects.timeline) {
        if (e.type == "alerts_joined") {
            EXPECT_NE(e.text.find("service=checkout"), std::string::npos) << e.text;
        }
    }
}

TEST(AlertIntake, AStormIsOneMessageAndABoundedTimeline) {
    Fixture f;
    const auto g1 = group({alert("seed", true, "Errors")});
    GroupState st = f.after(f.intake.on_group(g1, {}, kT0).effects, "alertmanager", g1.group_key);
    std::vector<AlertEvent> many;
    for (int i = 0; i < 1000; ++i) many.push_back(alert("fp" + std::to_string(i), true, "Errors"));
    auto storm = group(std::move(many));
    storm.truncated = 250;
    const Decision d = f.intake.on_group(storm, st, kT0 + 1000);
    ASSERT_EQ(d.effects.notifications.size(), 1u);
    const auto& n = std::get<AlertsChanged>(d.effects.notifications[0]);
    EXPECT_EQ(n.lines.size(), static_cast<std::size_t>(kAlertLines) + 1);  // + the truncation
    EXPECT_EQ(n.more, 1000 - kAlertLines);
    EXPECT_NE(n.lines.back().find("250 more alert(s) left out"), std::string::npos);
    EXPECT_EQ(count_type(d.effects, "alert_firing"), kTimelinePerDelivery);
    EXPECT_EQ(count_type(d.effects, "alerts_folded"), 1);
    EXPECT_EQ(count_type(d.effects, "alerts_truncated"), 1);
    EXPECT_EQ(d.effects.alerts.size(), 1000u);  // every alert's state is still kept
}

TEST(AlertIntake, AResolvedGroupThatFiresAgainOpensANewIncident) {
    Fixture f;
    const auto g1 = group({alert("a", true, "Errors")});
    GroupState st = f.after(f.intake.on_group(g1, {}, kT0).effects, "alertmanager", g1.group_key);
    st.incident->incident.status = Status::resolved;
    st.alerts[0].status = "resolved";
    const Decision again = f.intake.on_group(group({alert("a", true, "Errors")}), st, kT0 + 5000);
    ASSERT_TRUE(again.effects.created);
    EXPECT_NE(again.effects.created->id, st.incident->incident.id);
    ASSERT_FALSE(again.effects.links.empty());
    // The link moves from the old incident to the new one, only if nobody moved it meanwhile.
    EXPECT_EQ(again.effects.links[0].expected, st.incident->incident.id);
}

TEST(AlertIntake, PagerDutyActionsChangeTheLinkedIncidentWithoutEcho) {
    Fixture f;
    AlertGroup g;
    g.source = "pagerduty";
    g.group_key = "PGR0VU2";
    g.title = "A little bump in the road";
    g.severity = "P1";
    g.alerts = {alert("PGR0VU2", true, "A little bump in the road", "high")};
    const Decision opened = f.intake.on_group(g, {}, kT0);
    ASSERT_TRUE(opened.effects.created);
    // PagerDuty pages for it (pagerduty.paging: pagerduty): no pages or page timers here.
    EXPECT_TRUE(opened.effects.pages.empty());
    for (const auto& t : opened.effects.schedule) EXPECT_NE(t.kind, "page");
    IncidentState s = *f.after(opened.effects, "pagerduty", "PGR0VU2").incident;
    SourceAction ack{"pagerduty", "PGR0VU2", "acknowledge", "Tenex Engineer", "", "", kT0 + 1};
    const Decision acked = f.intake.on_action(ack, s, kT0 + 1);
    ASSERT_TRUE(acked.effects.updated);
    EXPECT_TRUE(acked.effects.updated->acknowledged_at);
    EXPECT_EQ(acked.effects.source, "pagerduty");
    bool synced_back = false;
    for (const auto& n : acked.effects.notifications)
        if (const auto* sync = std::get_if<SourceSync>(&n))
            synced_back = sync->source != "pagerduty";
    EXPECT_FALSE(synced_back);
    // Acknowledged already (our own acknowledgement coming back): nothing changes.
    s.incident.acknowledged_at = kT0;
    EXPECT_TRUE(f.intake.on_action(ack, s, kT0 + 2).effects.writes_nothing());
    SourceAction note{"pagerduty", "PGR0VU2", "note", "Tenex", "PagerDuty note by Tenex: hi",
                      "",          kT0};
    const Decision noted = f.intake.on_action(note, s, kT0 + 3);
    ASSERT_EQ(noted.effects.timeline.size(), 1u);
    EXPECT_EQ(noted.effects.timeline[0].type, "note");
}

TEST(AlertIntake, AHeartbeatThatStopsDeclaresAndTheNextBeatResolves) {
    Fixture f;
    Config::Heartbeat h{"nightly-backup", 25LL * 3'600'000, "P2", ""};
    const Decision first = f.intake.beat(h, {}, kT0);
    ASSERT_EQ(first.effects.schedule.size(), 1u);
    Timer deadline = first.effects.schedule[0];
    EXPECT_EQ(deadline.due_at, kT0 + h.interval_ms);
    EXPECT_EQ(deadline.incident_id, "");
    deadline.id = 7;
    // The next beat moves the deadline: the old one is cancelled.
    HeartbeatState waiting;
    waiting.pending = {deadline};
    const Decision second = f.intake.beat(h, waiting, kT0 + 1000);
    EXPECT_EQ(second.effects.cancel, (std::vector<std::int64_t>{7}));
    // Missed: an incident, linked to the heartbeat, the deadline consumed.
    const Decision missed = f.intake.missed(h, deadline, waiting, deadline.due_at);
    ASSERT_TRUE(missed.effects.created);
    EXPECT_EQ(missed.effects.created->severity, "P2");
    EXPECT_EQ(missed.effects.fire, 7);
    EXPECT_NE(missed.effects.created->title.find("nightly-backup"), std::string::npos);
    ASSERT_EQ(missed.effects.links.size(), 1u);
    // The next beat resolves it.
    HeartbeatState down;
    down.link = missed.effects.links[0];
    IncidentState s;
    s.incident = *missed.effects.created;
    s.incident.version = 1;
    down.incident = s;
    const Decision back = f.intake.beat(h, down, deadline.due_at + 60'000);
    ASSERT_TRUE(back.effects.updated);
    EXPECT_EQ(back.effects.updated->status, Status::resolved);
    EXPECT_EQ(back.effects.schedule.size(), 1u);  // and watching again
}
