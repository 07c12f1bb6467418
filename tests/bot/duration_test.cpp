#include "bot/domain/duration.h"

#include <gtest/gtest.h>

using namespace muster;

TEST(Duration, ParsesConfigForms) {
    EXPECT_EQ(parse_duration_ms("30s"), 30'000);
    EXPECT_EQ(parse_duration_ms("5m"), 300'000);
    EXPECT_EQ(parse_duration_ms("1h"), 3'600'000);
    EXPECT_EQ(parse_duration_ms("24h"), 86'400'000);
    EXPECT_EQ(parse_duration_ms("1h30m"), 5'400'000);
    EXPECT_EQ(parse_duration_ms("500ms"), 500);
    EXPECT_EQ(parse_duration_ms("2d"), 172'800'000);
    EXPECT_EQ(parse_duration_ms("0s"), 0);
}

TEST(Duration, RejectsAmbiguousOrBrokenText) {
    for (const char* bad : {"", "5", "m", "5x", "-5m", "5 m", "1h30", "99999999999999h", "1.5h"})
        EXPECT_FALSE(parse_duration_ms(bad).has_value()) << bad;
}

TEST(Duration, FormatsRoundTrip) {
    for (const char* s : {"15m", "1h", "4h", "24h", "1h30m", "45s"})
        EXPECT_EQ(format_duration_config(*parse_duration_ms(s)), s);
}
