#include "bot/domain/clock.h"

#include <gtest/gtest.h>

#include "bot/domain/incident_id.h"

using namespace muster;

TEST(Clock, FormatsUtcAcrossDayAndYearBoundaries) {
    // 2026-12-31T23:59:59.999Z and one millisecond later
    const EpochMs last = 1798761599999;
    EXPECT_EQ(format_rfc3339(last), "2026-12-31T23:59:59Z");
    EXPECT_EQ(utc_day_key(last), "20261231");
    EXPECT_EQ(utc_day_key(last + 1), "20270101");
    EXPECT_EQ(format_human_utc(last + 1), "2027-01-01 00:00 UTC");
}

TEST(Clock, LeapDayAndEpoch) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(1709164800000), "2024-02-29T00:00:00Z");
    EXPECT_EQ(days_from_civil(2024, 2, 29), 19782);
}

TEST(Clock, ShortDurations) {
    EXPECT_EQ(format_duration_short(45'000), "45s");
    EXPECT_EQ(format_duration_short(12 * 60'000), "12m");
    EXPECT_EQ(format_duration_short(65 * 60'000), "1h 05m");
    EXPECT_EQ(format_duration_short(26 * 3'600'000LL), "1d 2h");
    EXPECT_EQ(format_duration_short(-5), "0s");
}

TEST(Clock, FakeClockMovesOnlyWhenTold) {
    FakeClock c(1000);
    EXPECT_EQ(c.now_ms(), 1000);
    c.advance(500);
    EXPECT_EQ(c.now_ms(), 1500);
    c.set(42);
    EXPECT_EQ(c.now_ms(), 42);
}
