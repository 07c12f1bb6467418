#include "integrations/slack/block_kit.h"

#include <gtest/gtest.h>

#include "bot/domain/text.h"

#include "bot/messages/templates.h"

using namespace muster;
using namespace muster::slack;

TEST(BlockKit, DeclarationFromTheTemplate) {
    const Message m = Templates().render("declaration", {{"id", "INC-20261122-001"},
                                                         {"title", "db down"},
                                                         {"severity", "P1"},
                                                         {"severity_name", "High"},
                                                         {"ic", "U0IC"},
                                                         {"status_label", "Investigating"}});
    const auto bk = render_blocks(m);
    ASSERT_GE(bk.blocks.size(), 3u);
    EXPECT_EQ(bk.blocks[0]["type"], "header");
    EXPECT_EQ(bk.blocks[0]["text"]["text"], "🚨 INCIDENT DECLARED 🚨");
    const std::string fields = bk.blocks[1].dump();
    EXPECT_NE(fields.find("<@U0IC>"), std::string::npos) << fields;  // a real mention
    const auto& actions = bk.blocks.back();
    EXPECT_EQ(actions["type"], "actions");
    ASSERT_EQ(actions["elements"].size(), 3u);
    EXPECT_EQ(actions["elements"][0]["action_id"], "muster_acknowledge");
    EXPECT_EQ(actions["elements"][0]["value"], "INC-20261122-001");
    EXPECT_EQ(actions["elements"][0]["style"], "primary");
    EXPECT_NE(bk.text.find("db down"), std::string::npos);
}

TEST(BlockKit, HostileTextIsEscapedNotInterpreted) {
    Message m;
    m.title = "<!channel> & co";
    m.fields = {{"Summary", "<!here> <https://evil.example|login> & more", "", ""}};
    m.text = "<@U123> is not a mention when a user typed it";
    m.fallback = "<!channel>";
    const auto bk = render_blocks(m);
    // Everything but the plain_text header (which Slack never parses for mentions or links).
    std::string all = bk.text;
    for (std::size_t i = 1; i < bk.blocks.size(); ++i) all += bk.blocks[i].dump();
    EXPECT_EQ(all.find("<!channel>"), std::string::npos) << all;
    EXPECT_EQ(all.find("<!here>"), std::string::npos);
    EXPECT_EQ(all.find("<https://evil"), std::string::npos);
    EXPECT_EQ(all.find("<@U123>"), std::string::npos);
    EXPECT_NE(all.find("&lt;!here&gt;"), std::string::npos);
    // plain_text header is not mrkdwn: it is shown as typed
    EXPECT_EQ(bk.blocks[0]["text"]["text"], "<!channel> & co");
}

TEST(BlockKit, LimitsAreKeptByCuttingVisibly) {
    Message m;
    m.title = std::string(200, 'T');
    for (int i = 0; i < 23; ++i)
        m.fields.push_back({"F" + std::to_string(i), std::string(3000, 'v'), "", ""});
    for (int i = 0; i < 60; ++i) m.sections.emplace_back("H", std::string(5000, 's'));
    for (int i = 0; i < 30; ++i)
        m.actions.push_back({"a" + std::to_string(i), std::string(100, 'b'), "v", ""});
    m.fallback = std::string(5000, 'f');
    const auto bk = render_blocks(m);
    EXPECT_EQ(bk.blocks.size(), 50u);
    EXPECT_EQ(utf8_length(bk.blocks[0]["text"]["text"]), 150u);
    EXPECT_EQ(bk.blocks[0]["text"]["text"].get<std::string>().substr(149 * 1), "…");
    EXPECT_EQ(bk.blocks[1]["fields"].size(), 10u);
    EXPECT_EQ(bk.blocks[3]["fields"].size(), 3u);
    for (const auto& f : bk.blocks[1]["fields"]) EXPECT_LE(utf8_length(f["text"]), 2000u);
    EXPECT_LE(utf8_length(bk.blocks[4]["text"]["text"]), 3000u);
    EXPECT_EQ(bk.blocks[48]["type"], "context");  // "message shortened"
    EXPECT_EQ(bk.blocks[49]["type"], "actions");  // the buttons survive
    EXPECT_EQ(bk.blocks[49]["elements"].size(), 25u);
    EXPECT_LE(utf8_length(bk.blocks[49]["elements"][0]["text"]["text"]), 75u);
    EXPECT_LE(utf8_length(bk.text), 4000u);
}

TEST(BlockKit, TruncateCountsCharactersNotBytes) {
    EXPECT_EQ(truncate_chars("héllo", 5), "héllo");
    EXPECT_EQ(truncate_chars("héllo wörld", 5), "héll…");
    EXPECT_EQ(truncate_chars("🔥🔥🔥", 2), "🔥…");
}
