#include "bot/domain/incident.h"

#include <gtest/gtest.h>

#include "bot/domain/incident_id.h"

using namespace muster;

TEST(StatusMachine, OpenStatusesMoveFreelyAndRecordMitigation) {
    Incident inc;
    inc.id = "INC-20261122-001";
    EXPECT_FALSE(check_transition(inc, Status::identified));
    apply_status(inc, Status::identified, 1000);
    EXPECT_EQ(inc.status, Status::identified);
    EXPECT_FALSE(inc.mitigated_at);
    apply_status(inc, Status::monitoring, 2000);
    EXPECT_EQ(inc.mitigated_at, 2000);
    // A fix that did not hold goes back to investigating; mitigation time stays the first one.
    EXPECT_FALSE(check_transition(inc, Status::investigating));
    apply_status(inc, Status::investigating, 3000);
    apply_status(inc, Status::monitoring, 4000);
    EXPECT_EQ(inc.mitigated_at, 2000);
    apply_status(inc, Status::resolved, 5000);
    EXPECT_EQ(inc.resolved_at, 5000);
}

TEST(StatusMachine, ResolvedOnlyReopens) {
    Incident inc;
    inc.id = "INC-20261122-001";
    apply_status(inc, Status::resolved, 10);
    const auto again = check_transition(inc, Status::resolved);
    ASSERT_TRUE(again);
    EXPECT_NE(again->message.find("already resolved"), std::string::npos);
    const auto upd = check_transition(inc, Status::identified);
    ASSERT_TRUE(upd);
    EXPECT_NE(upd->message.find("reopen"), std::string::npos);
    EXPECT_FALSE(check_reopen(inc));
    apply_reopen(inc, 20);
    EXPECT_EQ(inc.status, Status::investigating);
    EXPECT_FALSE(inc.resolved_at);
    const auto twice = check_reopen(inc);
    ASSERT_TRUE(twice);
    EXPECT_NE(twice->message.find("not resolved"), std::string::npos);
}

TEST(StatusMachine, NamesRoundTrip) {
    for (Status s :
         {Status::investigating, Status::identified, Status::monitoring, Status::resolved})
        EXPECT_EQ(parse_status(status_name(s)), s);
    EXPECT_EQ(parse_status("MONITORING"), Status::monitoring);
    EXPECT_FALSE(parse_status("fixed"));
    for (Role r : {Role::ic, Role::tech, Role::ops, Role::comms})
        EXPECT_EQ(parse_role(role_name(r)), r);
    EXPECT_FALSE(parse_role("boss"));
}

TEST(PriorityMatrix, MatchesSeed003) {
    const Config cfg = default_config();
    using L = Level;
    const struct {
        L impact, urgency;
        const char* sev;
    } cells[] = {
        {L::high, L::high, "P0"},   {L::high, L::medium, "P0"},   {L::high, L::low, "P1"},
        {L::medium, L::high, "P0"}, {L::medium, L::medium, "P1"}, {L::medium, L::low, "P2"},
        {L::low, L::high, "P1"},    {L::low, L::medium, "P2"},    {L::low, L::low, "P3"}};
    for (const auto& c : cells)
        EXPECT_EQ(priority_for(cfg, c.impact, c.urgency), c.sev)
            << level_name(c.impact) << "/" << level_name(c.urgency);
}

TEST(IncidentId, FormatAndNormalise) {
    EXPECT_EQ(format_incident_id("20261122", 1), "INC-20261122-001");
    EXPECT_EQ(format_incident_id("20261122", 999), "INC-20261122-999");
    EXPECT_EQ(format_incident_id("20261122", 1000), "INC-20261122-1000");
    EXPECT_EQ(normalize_incident_id("inc-20261122-7"), "INC-20261122-007");
    EXPECT_EQ(normalize_incident_id("INC-20261122-1000"), "INC-20261122-1000");
    for (const char* bad : {"INC-2026112-001", "INC-20261122-", "INC-20261122-0",
                            "ABC-20261122-001", "INC-20261122-01a", "INC_20261122-001"})
        EXPECT_FALSE(normalize_incident_id(bad)) << bad;
}
