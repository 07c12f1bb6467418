#include "integrations/slack/rate_limits.h"

#include <gtest/gtest.h>

using namespace muster::slack;

TEST(RateLimits, TierTwoAllowsABurstThenAboutTwentyAMinute) {
    RateLimits r;
    EXPECT_EQ(RateLimits::per_minute("conversations.create"), 20);
    EXPECT_EQ(RateLimits::per_minute("chat.update"), 50);
    long long now = 1'000'000;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(r.acquire("conversations.create", "", now), 0) << i;
    const auto wait = r.acquire("conversations.create", "", now);
    EXPECT_GT(wait, 0);
    EXPECT_LE(wait, 3000);  // one token every 3 s
    EXPECT_EQ(r.acquire("conversations.create", "", now + wait), 0);
    // Another method has its own bucket.
    EXPECT_EQ(r.acquire("conversations.invite", "", now), 0);
}

TEST(RateLimits, AboutOnePostPerSecondPerChannel) {
    RateLimits r;
    long long now = 5'000'000;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(r.acquire("chat.postMessage", "C1", now), 0);
    EXPECT_EQ(r.acquire("chat.postMessage", "C1", now), 1000);
    EXPECT_EQ(r.acquire("chat.postMessage", "C2", now), 0);  // another channel is free
    EXPECT_EQ(r.acquire("chat.postMessage", "C1", now + 1000), 0);
    EXPECT_GT(r.acquire("chat.postMessage", "C1", now + 1000), 0);
}

TEST(RateLimits, A429BlocksTheMethodUntilRetryAfter) {
    RateLimits r;
    r.penalize("chat.update", 10'000);
    EXPECT_EQ(r.acquire("chat.update", "", 4'000), 6'000);
    EXPECT_EQ(r.acquire("chat.update", "", 10'000), 0);
}
