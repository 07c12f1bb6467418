// The incident snapshot a queued message carries: lossless, compact, and never stale.
#include <gtest/gtest.h>

#include <functional>

#include "bot/domain/incident_json.h"

namespace muster {
namespace {

Incident every_field_set() {
    Incident i;
    i.id = "INC-20261201-007";
    i.title = "checkout \"API\" 5xx \xE2\x80\x94 EU";
    i.severity = "P1";
    i.status = Status::monitoring;
    i.ic = "U1";
    i.tech = "U2";
    i.ops = "U3";
    i.comms = "U4";
    i.reporter = "U5";
    i.source = "slack";
    i.origin_channel = "C1";
    i.channel = "#incident-x";
    i.impact = "EU shoppers";
    i.root_cause = "expired cert";
    i.impact_level = "high";
    i.urgency_level = "low";
    i.declared_at = 1000;
    i.acknowledged_at = 2000;
    i.acknowledged_by = "U6";
    i.mitigated_at = 3000;
    i.resolved_at = 4000;
    i.updated_at = 5000;
    i.version = 9;
    i.drill = true;
    i.declined = true;
    i.source_link = "https://acme.pagerduty.com/incidents/PT4KHLK";
    return i;
}

TEST(IncidentSnapshot, ReadsBackEveryField) {
    const Incident i = every_field_set();
    EXPECT_EQ(incident_from_json(nlohmann::json::parse(incident_snapshot(i))), i);
    EXPECT_EQ(incident_from_json(incident_to_json(i)), i);
}

TEST(IncidentSnapshot, LeavesEmptyFieldsOutAndReadsThemBackEmpty) {
    Incident i;
    i.id = "INC-20261201-001";
    i.title = "db";
    i.declared_at = 7;
    const auto j = nlohmann::json::parse(incident_snapshot(i));
    EXPECT_FALSE(j.contains("ic"));
    EXPECT_FALSE(j.contains("resolved_at"));
    EXPECT_EQ(incident_from_json(j), i);
}

// Equality decides whether the last snapshot is reused: a field it missed would send a stale
// incident to the channel. Each field changed alone must make the incidents differ, and the
// snapshot follow.
TEST(IncidentSnapshot, AChangeToAnyFieldMakesANewSnapshot) {
    const std::vector<std::function<void(Incident&)>> changes = {
        [](Incident& i) { i.id += "1"; },
        [](Incident& i) { i.title += "!"; },
        [](Incident& i) { i.severity = "P2"; },
        [](Incident& i) { i.status = Status::resolved; },
        [](Incident& i) { i.ic += "x"; },
        [](Incident& i) { i.tech += "x"; },
        [](Incident& i) { i.ops += "x"; },
        [](Incident& i) { i.comms += "x"; },
        [](Incident& i) { i.reporter += "x"; },
        [](Incident& i) { i.source = "cli"; },
        [](Incident& i) { i.origin_channel += "x"; },
        [](Incident& i) { i.channel += "x"; },
        [](Incident& i) { i.impact += "x"; },
        [](Incident& i) { i.root_cause += "x"; },
        [](Incident& i) { i.impact_level = "low"; },
        [](Incident& i) { i.urgency_level = "high"; },
        [](Incident& i) { i.declared_at += 1; },
        [](Incident& i) { i.acknowledged_at.reset(); },
        [](Incident& i) { i.acknowledged_by += "x"; },
        [](Incident& i) { i.mitigated_at = 3001; },
        [](Incident& i) { i.resolved_at.reset(); },
        [](Incident& i) { i.updated_at += 1; },
        [](Incident& i) { i.version += 1; },
        [](Incident& i) { i.drill = !i.drill; },
        [](Incident& i) { i.declined = !i.declined; },
        [](Incident& i) { i.source_link += "x"; },
    };
    const Incident base = every_field_set();
    for (std::size_t k = 0; k < changes.size(); ++k) {
        Incident changed = base;
        changes[k](changed);
        EXPECT_NE(changed, base) << "change " << k;
        const std::string before = incident_snapshot(base);
        EXPECT_EQ(incident_from_json(nlohmann::json::parse(incident_snapshot(changed))), changed)
            << "change " << k;
        EXPECT_EQ(incident_snapshot(base), before);
    }
}

}  // namespace
}  // namespace muster
