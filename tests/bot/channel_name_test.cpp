#include "bot/domain/channel_name.h"

#include <gtest/gtest.h>

#include <regex>

using namespace muster;

namespace {
const EpochMs kNov22_0930 = 1795339800000;  // 2026-11-22T09:30:00Z
ChannelNameInput input(const std::string& title,
                       const std::string& pattern = "incident-{yyyymmdd}-{hhmm}-{slug}") {
    return {pattern, title, "INC-20261122-007", "P1", kNov22_0930};
}
bool slack_valid(const std::string& n) {
    return n.size() <= 80 && std::regex_match(n, std::regex("[a-z0-9_-]+"));
}
}  // namespace

TEST(ChannelName, SeedConvention) {
    EXPECT_EQ(channel_name(input("API outage")), "incident-20261122-0930-api-outage");
    EXPECT_EQ(channel_name(input("x", "incident-{yyyy}-{mm}-{dd}-{hh}-{min}")),
              "incident-2026-11-22-09-30");
    EXPECT_EQ(channel_name(input("Checkout", "inc-{seq}-{sev}-{slug}")), "inc-007-p1-checkout");
    EXPECT_EQ(channel_name(input("Checkout", "{id}")), "inc-20261122-007");
}

TEST(ChannelName, FoldsCaseEmojiAndPunctuation) {
    EXPECT_EQ(channel_name(input("Checkout API 5xx!!! 🔥🔥 (EU)")),
              "incident-20261122-0930-checkout-api-5xx-eu");
    EXPECT_EQ(channel_name(input("Can't reach DB")), "incident-20261122-0930-cant-reach-db");
    EXPECT_EQ(channel_name(input("--- ??? ---")), "incident-20261122-0930");
    EXPECT_EQ(channel_name(input("🔥🔥🔥")), "incident-20261122-0930");
    EXPECT_EQ(channel_name(input("Łódź ŻÓŁW")), "incident-20261122-0930-lodz-zolw");
    EXPECT_EQ(channel_name(input("東京 down")), "incident-20261122-0930-down");
    EXPECT_EQ(channel_name(input("Zürich café down")), "incident-20261122-0930-zurich-cafe-down");
}

TEST(ChannelName, LongTitlesKeepTheUniquePart) {
    const std::string title(200, 'a');
    const std::string n = channel_name(input(title + " b c"));
    EXPECT_TRUE(slack_valid(n)) << n;
    EXPECT_EQ(n.size(), 80u);
    EXPECT_EQ(n.rfind("incident-20261122-0930-", 0), 0u);
    const std::string words = channel_name(
        input(std::string(20, 'x') + " " + std::string(20, 'y') + " " + std::string(30, 'z')));
    EXPECT_TRUE(slack_valid(words)) << words;
    EXPECT_EQ(words, "incident-20261122-0930-" + std::string(20, 'x') + "-" +
                         std::string(20, 'y'));  // cut at a word boundary
    // The unique part survives even when it is at the end of the pattern.
    const std::string tail = channel_name(input(title, "{slug}-{id}"));
    EXPECT_TRUE(slack_valid(tail)) << tail;
    EXPECT_NE(tail.find("inc-20261122-007"), std::string::npos) << tail;
    // A numbered name (the first was taken) shortens the slug, never the id, to stay within 80.
    const std::string second = channel_name(input(title, "{slug}-{id}"), 12);
    EXPECT_TRUE(slack_valid(second)) << second;
    EXPECT_LE(second.size(), 80u);
    EXPECT_NE(second.find("inc-20261122-007-12"), std::string::npos) << second;
}

// The console names channels on the request path; it asks the database whether a name is taken
// only when another title could have produced it.
TEST(ChannelName, OnlyNumberedNamesMayCollideAcrossTitles) {
    ChannelNameInput x{"incident-{slug}", "x", "INC-20261201-001", "P1", 0};
    ChannelNameInput x2{"incident-{slug}", "x 2", "INC-20261201-002", "P1", 0};
    EXPECT_EQ(channel_name(x, 2), channel_name(x2));  // the collision this guards against
    EXPECT_TRUE(name_may_collide(channel_name(x2), 1));
    EXPECT_TRUE(name_may_collide(channel_name(x, 2), 2));
    EXPECT_FALSE(name_may_collide(channel_name(x), 1));
    EXPECT_FALSE(name_may_collide("incident-20261201-0233-db", 1));
    EXPECT_FALSE(name_may_collide("incident-2x", 1));
    EXPECT_FALSE(name_may_collide("123", 1));
}
