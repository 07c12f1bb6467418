// The incident service's decisions as plain values: no database, no thread, no clock of its own.
// Each test hands it an incident's state as storage would have read it and looks at the Effects.
#include "bot/service/incident_service.h"

#include <gtest/gtest.h>

#include <map>

#include "bot/runtime/dispatch.h"

using namespace muster;

namespace {

const EpochMs kT0 = 1795339800000;  // 2026-11-22T09:30:00Z
const EpochMs kMin = 60'000;

struct FakeSequences final : Sequences {
    std::map<std::string, std::int64_t> ids;
    std::int64_t next_incident_seq(const std::string& day) override { return ++ids[day]; }
    int next_channel_suffix(const std::string&, const std::string&) override { return 1; }
};

// A paging method that reaches contacts with a routing key, and remembers what it was asked.
struct RecordingMethod final : PagingMethod {
    mutable std::vector<std::string> follow_up_sources;
    std::string name() const override { return "pager"; }
    bool reaches(const Contact& c) const override { return !c.pagerduty_routing_key.empty(); }
    void plan_page(const PageContact& p, EpochMs, std::vector<QueuedOp>& out) const override {
        out.push_back(
            {p.incident.id, "pager", "pager:" + p.contact.key, "page", "{}", kPagePriority, 0});
    }
    void plan_follow_up(const PageFollowUp& f, const std::string& source, EpochMs,
                        std::vector<QueuedOp>& out) const override {
        follow_up_sources.push_back(source);
        if (source == "pager") return;  // never back where it came from
        out.push_back(
            {f.incident_id, "pager", "pager:" + f.contact.key, f.action, "{}", kPagePriority, 0});
    }
};

struct Fixture {
    Config cfg = [] {
        Config c = default_config();
        c.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
        c.contacts["eng-manager"].pagerduty_routing_key = std::string(32, 'b');
        return c;
    }();
    FakeSequences seq;
    Dispatch dispatch;
    std::shared_ptr<RecordingMethod> method = std::make_shared<RecordingMethod>();
    IncidentService service{cfg, dispatch, seq};
    Actor alice{"U0ALICE", "alice", "slack", "C0GENERAL", ""};
    Fixture() { dispatch.add(method); }

    // What storage would read back after applying a declaration's effects.
    IncidentState state_after(const Effects& fx, std::int64_t version = 1) {
        IncidentState s;
        s.incident = fx.created ? *fx.created : *fx.updated;
        s.incident.version = version;
        std::int64_t id = 100;
        for (auto t : fx.schedule) {
            t.id = ++id;
            s.pending_timers.push_back(t);
        }
        s.pages = fx.pages;
        return s;
    }
};

std::vector<std::string> kinds(const Effects& fx) {
    std::vector<std::string> out;
    for (const auto& t : fx.schedule)
        out.push_back(t.kind + ":" + t.key.substr(0, t.key.find('@')));
    return out;
}

}  // namespace

TEST(IncidentService, DeclareDecidesTheRecordTimelinePlanAndFirstPage) {
    Fixture f;
    const Decision d = f.service.declare({"P1", {}, {}, "checkout API 5xx"}, f.alice, kT0);
    ASSERT_TRUE(d.ok());
    const Effects& fx = d.effects;
    ASSERT_TRUE(fx.created);
    EXPECT_EQ(fx.created->id, "INC-20261122-001");
    EXPECT_EQ(fx.created->severity, "P1");
    EXPECT_EQ(fx.created->reporter, "U0ALICE");
    EXPECT_EQ(fx.source, "slack");
    EXPECT_EQ(fx.timeline.front().type, "declared");
    // Level 1 (after 0s) is paged in the declaration itself; its repeat and levels 2-4 are timers.
    ASSERT_EQ(fx.pages.size(), 1u);
    EXPECT_EQ(fx.pages[0].contact, "oncall-primary");
    EXPECT_EQ(fx.pages[0].dedup_key, "muster:INC-20261122-001:oncall-primary");
    EXPECT_EQ(kinds(fx),
              (std::vector<std::string>{"page:L1.2", "page:L2.1", "page:L3.1", "page:L4.1",
                                        "status_reminder:" + std::to_string(kT0), "ic_nudge:1"}));
    // Notifications: declared, and the page (planned by the paging method).
    ASSERT_EQ(fx.notifications.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<Declared>(fx.notifications[0]));
    EXPECT_TRUE(std::holds_alternative<PageContact>(fx.notifications[1]));
    Effects planned = fx;
    f.dispatch.expand(planned);
    ASSERT_EQ(planned.outbox.size(), 1u);
    EXPECT_EQ(planned.outbox[0].priority, kPagePriority);
    EXPECT_TRUE(planned.notifications.empty());
    // Refusals say why and decide nothing.
    EXPECT_EQ(*f.service.declare({"P9", {}, {}, "x"}, f.alice, kT0).refused,
              "Unknown severity P9.");
    f.cfg.priority_matrix[Level::low].erase(Level::low);
    const Decision nomatrix = f.service.declare({"", Level::low, Level::low, "x"}, f.alice, kT0);
    EXPECT_FALSE(nomatrix.ok());
    EXPECT_TRUE(nomatrix.effects.writes_nothing());
}

TEST(IncidentService, AcknowledgeCancelsPendingPagesAndFollowsEveryPageSent) {
    Fixture f;
    const Effects declared = f.service.declare({"P1", {}, {}, "db down"}, f.alice, kT0).effects;
    const IncidentState s = f.state_after(declared);
    const Actor bob{"U0BOB", "bob", "slack", "C1", ""};
    const Decision d = f.service.acknowledge(s, bob, kT0 + 2 * kMin);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(d.effects.updated);
    EXPECT_EQ(d.effects.updated->acknowledged_by, "U0BOB");
    EXPECT_EQ(d.effects.updated->version, 1);  // decided on version 1: applied only if unchanged
    // Every pending page timer (L1.2, L2.1 … L4.1) is cancelled, by id; reminders are not.
    EXPECT_EQ(d.effects.cancel.size(), 4u);
    ASSERT_EQ(d.effects.withdrawals.size(), 1u);
    EXPECT_EQ(d.effects.withdrawals[0].kind, "page");
    int follow_ups = 0;
    for (const auto& n : d.effects.notifications)
        if (const auto* fu = std::get_if<PageFollowUp>(&n)) {
            EXPECT_EQ(fu->action, "acknowledge");
            EXPECT_EQ(fu->dedup_key, "muster:INC-20261122-001:oncall-primary");
            ++follow_ups;
        }
    EXPECT_EQ(follow_ups, 1);
    // A second acknowledgement is refused, naming who and when.
    IncidentState acked = s;
    acked.incident = *d.effects.updated;
    const Decision again = f.service.acknowledge(acked, f.alice, kT0 + 3 * kMin);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.refused->find("already acknowledged by @U0BOB"), std::string::npos);
}

// Effects know their source: an acknowledgement that came from the paging system is not sent
// back to it.
TEST(IncidentService, AChangeIsNeverEchoedToWhereItCameFrom) {
    Fixture f;
    const IncidentState s =
        f.state_after(f.service.declare({"P1", {}, {}, "db down"}, f.alice, kT0).effects);
    const Actor from_pager{"PXYZ", "pager", "pager", "", ""};
    Effects fx = f.service.acknowledge(s, from_pager, kT0 + kMin).effects;
    EXPECT_EQ(fx.source, "pager");
    f.dispatch.expand(fx);
    EXPECT_EQ(f.method->follow_up_sources, (std::vector<std::string>{"pager"}));
    for (const auto& op : fx.outbox) EXPECT_NE(op.kind, "acknowledge") << op.queue;
    // The same acknowledgement typed in chat does reach the paging system.
    Effects chat = f.service.acknowledge(s, f.alice, kT0 + kMin).effects;
    f.dispatch.expand(chat);
    int acks = 0;
    for (const auto& op : chat.outbox) acks += op.kind == "acknowledge";
    EXPECT_EQ(acks, 1);
}

// Raising the severity keeps chasing the level nobody acknowledged while the new plan runs.
TEST(IncidentService, ASeverityChangeKeepsTheRepeatOfTheLevelBeingChased) {
    Fixture f;
    const IncidentState s =
        f.state_after(f.service.declare({"P2", {}, {}, "slow search"}, f.alice, kT0).effects);
    const Decision d = f.service.change_severity(s, f.alice, "P0", kT0 + 2 * kMin);
    ASSERT_TRUE(d.ok());
    // L1.2 (the repeat of the paged level) is not cancelled; P2's L2/L3 are.
    std::vector<std::string> cancelled;
    for (const auto id : d.effects.cancel)
        for (const auto& t : s.pending_timers)
            if (t.id == id) cancelled.push_back(t.key.substr(0, t.key.find('@')));
    EXPECT_EQ(std::count(cancelled.begin(), cancelled.end(), "L1.2"), 0);
    EXPECT_EQ(std::count(cancelled.begin(), cancelled.end(), "L2.1"), 1);
    bool p0_l2 = false;
    for (const auto& t : d.effects.schedule)
        if (t.kind == "page" && t.level == 2) p0_l2 = t.due_at == kT0 + 2 * kMin + 15 * kMin;
    EXPECT_TRUE(p0_l2);
}

TEST(IncidentService, ATimerOfAnAcknowledgedIncidentPagesNobody) {
    Fixture f;
    const Effects declared = f.service.declare({"P1", {}, {}, "db down"}, f.alice, kT0).effects;
    IncidentState s = f.state_after(declared);
    const Timer repeat = *std::find_if(s.pending_timers.begin(), s.pending_timers.end(),
                                       [](const Timer& t) { return t.level == 1; });
    const Decision live = f.service.fire(s, repeat, kT0 + 5 * kMin);
    EXPECT_EQ(live.effects.pages.size(), 1u);
    EXPECT_EQ(live.effects.fire, repeat.id);  // consumed only if still pending when applied
    s.incident.acknowledged_at = kT0 + kMin;
    const Decision quiet = f.service.fire(s, repeat, kT0 + 5 * kMin);
    EXPECT_TRUE(quiet.effects.pages.empty());
    EXPECT_EQ(quiet.effects.fire, repeat.id);
}

TEST(IncidentService, PinsAreKeyedByEventAndByMessage) {
    Fixture f;
    Incident inc;
    inc.id = "INC-20261122-001";
    MarkedMessage m{"slack", "C1", "1.2", "Ev1", "U0A", "U0B", "rolled back", false, 1000};
    const Decision d = f.service.mark_message(inc, m, kT0);
    ASSERT_EQ(d.effects.dedupe.size(), 2u);
    EXPECT_EQ(d.effects.dedupe[0].key, "Ev1");
    EXPECT_EQ(d.effects.dedupe[1].key, "C1/1.2");
    ASSERT_EQ(d.effects.timeline.size(), 1u);
    EXPECT_EQ(d.effects.timeline[0].text, "rolled back");
    m.text.clear();
    m.via_reaction = true;
    const Decision fetch = f.service.mark_message(inc, m, kT0);
    EXPECT_TRUE(fetch.effects.timeline.empty());
    EXPECT_TRUE(std::holds_alternative<FetchMarkedMessage>(fetch.effects.notifications.at(0)));
}
