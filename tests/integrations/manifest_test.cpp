// The shipped Slack manifest must point at the routes Muster serves and ask for the scopes the
// Web API calls need; a rename on either side fails here, not at someone's install.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

TEST(SlackManifest, MatchesTheRoutesAndScopes) {
    const YAML::Node m =
        YAML::LoadFile(std::string(MUSTER_SOURCE_DIR) + "/deploy/slack/manifest.yml");
    const auto cmd = m["features"]["slash_commands"][0];
    EXPECT_EQ(cmd["command"].as<std::string>(), "/incident");
    EXPECT_EQ(cmd["url"].as<std::string>(), "https://MUSTER_HOST/slack/commands");
    EXPECT_TRUE(cmd["should_escape"].as<bool>());
    EXPECT_EQ(m["settings"]["event_subscriptions"]["request_url"].as<std::string>(),
              "https://MUSTER_HOST/slack/events");
    EXPECT_EQ(m["settings"]["interactivity"]["request_url"].as<std::string>(),
              "https://MUSTER_HOST/slack/interactions");
    std::vector<std::string> events, scopes;
    for (const auto& e : m["settings"]["event_subscriptions"]["bot_events"])
        events.push_back(e.as<std::string>());
    for (const auto& s : m["oauth_config"]["scopes"]["bot"]) scopes.push_back(s.as<std::string>());
    for (const char* e : {"pin_added", "reaction_added"})
        EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
    for (const char* s : {"commands", "chat:write", "channels:manage", "groups:write", "pins:write",
                          "pins:read", "reactions:read", "channels:history"})
        EXPECT_NE(std::find(scopes.begin(), scopes.end(), s), scopes.end()) << s;
}
