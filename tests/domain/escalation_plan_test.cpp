// The escalation planner is a pure function: (policy, incident, time) → timers.
#include "bot/service/escalation_plan.h"

#include <gtest/gtest.h>

using namespace muster;

TEST(EscalationPlan, OneTimerPerLevelCountedFromThePlanTime) {
    const std::vector<EscalationLevel> p0 = {
        {0, {"l1"}}, {15 * 60'000, {"l2"}}, {3'600'000, {"l3"}}};
    Incident inc;
    inc.id = "INC-20261122-001";
    const auto all = plan_escalation(p0, inc, 1000, 0);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].due_at, 1000);
    EXPECT_EQ(all[1].due_at, 1000 + 15 * 60'000);
    EXPECT_EQ(all[2].level, 3);
    EXPECT_EQ(all[2].attempt, 1);
    EXPECT_EQ(all[2].key, "L3.1@1000");
    EXPECT_EQ(all[2].kind, "page");
    // Re-planned after level 1 was paged: only the later levels, with fresh keys.
    const auto later = plan_escalation(p0, inc, 5000, 1);
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[0].level, 2);
    EXPECT_EQ(later[0].due_at, 5000 + 15 * 60'000);
    EXPECT_NE(later[0].key, all[1].key);
    EXPECT_TRUE(plan_escalation({}, inc, 0, 0).empty());
}
