#include "integrations/slack/inbound.h"

#include <gtest/gtest.h>

#include "integrations/slack/form.h"

using namespace muster;
using namespace muster::slack;

TEST(SlackInbound, DecodesEntitiesOnceAndMarkupToPlainWords) {
    EXPECT_EQ(decode_text("R&amp;D &lt;prod&gt; checkout"), "R&D <prod> checkout");
    // Once: what the user typed as "&lt;" stays "&lt;".
    EXPECT_EQ(decode_text("&amp;lt; &amp;amp;"), "&lt; &amp;");
    EXPECT_EQ(decode_text("cc <@U024BE7LH|alice> and <@W0ABC123>"), "cc @U024BE7LH and @W0ABC123");
    EXPECT_EQ(decode_text("see <#C0123|ops-war-room>"), "see #ops-war-room");
    EXPECT_EQ(decode_text("<!here> <!channel> <!everyone>"), "@here @channel @everyone");
    EXPECT_EQ(decode_text("<!subteam^S0123|@sre-team> help"), "@sre-team help");
    EXPECT_EQ(decode_text("<!date^1392734382^{date}|Feb 18, 2014>"), "Feb 18, 2014");
    EXPECT_EQ(decode_text("<https://grafana.example/d/x?a=1&amp;b=2|the dashboard>"),
              "the dashboard (https://grafana.example/d/x?a=1&b=2)");
    EXPECT_EQ(decode_text("<https://status.example>"), "https://status.example");
    EXPECT_EQ(decode_text("<mailto:a@b.example|a@b.example>"), "a@b.example");
    // Typed angle brackets arrive as entities, so they are never read as markup.
    EXPECT_EQ(decode_text("&lt;!channel&gt; &lt;@U1&gt;"), "<!channel> <@U1>");
    EXPECT_EQ(decode_text("a < b"), "a < b");  // not from Slack, but not lost either
    EXPECT_EQ(decode_text(""), "");
}

TEST(SlackInbound, SlashCommandIsDecodedCleanedAndKeyedByTriggerId) {
    const std::string body =
        "team_id=T1&channel_id=C1&user_id=U1&user_name=al%07ice&command=%2Fincident&text=" +
        url_encode("declare P1 R&amp;D \x1b[31mred\r\nnext") + "&trigger_id=123.456.abc";
    const auto r = read_slash_command(body);
    ASSERT_TRUE(std::holds_alternative<SlashCommand>(r));
    const auto& c = std::get<SlashCommand>(r);
    EXPECT_EQ(c.text, "declare P1 R&D [31mred\nnext");
    EXPECT_EQ(c.actor.user_id, "U1");
    EXPECT_EQ(c.actor.user_name, "alice");
    EXPECT_EQ(c.dedupe_key, "slack:T1:123.456.abc");
    EXPECT_EQ(
        std::get<SlashCommand>(read_slash_command("channel_id=C1&user_id=U1&text=x")).dedupe_key,
        "");
    EXPECT_TRUE(std::holds_alternative<SslCheck>(read_slash_command("ssl_check=1&token=x")));
    for (const char* bad : {"text=%zz", "text=hello", "channel_id=C1&user_id=U%0A1&text=x",
                            "channel_id=C%201&user_id=U1&text=x", "channel_id=C1&text=x"})
        EXPECT_TRUE(std::holds_alternative<BadRequest>(read_slash_command(bad))) << bad;
}

TEST(SlackInbound, ButtonsAreCommandsOfThePresser) {
    auto press = [](const std::string& payload) {
        return read_interaction("payload=" + url_encode(payload));
    };
    const auto r = press(
        R"({"type":"block_actions","user":{"id":"U0BOB","username":"bob"},"team":{"id":"T1"},)"
        R"("channel":{"id":"C9"},"trigger_id":"9.9.9","response_url":"https://hooks/x",)"
        R"("actions":[{"action_id":"muster_acknowledge","value":"inc-20261122-7","action_ts":"1.2"}]})");
    ASSERT_TRUE(std::holds_alternative<ButtonPress>(r));
    const auto& b = std::get<ButtonPress>(r);
    EXPECT_EQ(b.command.verb, Verb::ack);
    EXPECT_EQ(b.command.incident_id, "INC-20261122-007");
    EXPECT_EQ(b.actor.user_id, "U0BOB");
    EXPECT_EQ(b.actor.channel_id, "C9");
    EXPECT_EQ(b.dedupe_key, "slack:T1:9.9.9");
    const auto ic = press(
        R"({"type":"block_actions","user":{"id":"U0BOB"},"actions":[{"action_id":"muster_take_ic","value":"INC-20261122-001","action_ts":"5.5"}]})");
    ASSERT_TRUE(std::holds_alternative<ButtonPress>(ic));
    EXPECT_EQ(std::get<ButtonPress>(ic).command.verb, Verb::role);
    EXPECT_EQ(std::get<ButtonPress>(ic).dedupe_key, "slack::action:U0BOB:5.5");
    // Not ours: acknowledged and ignored.
    EXPECT_TRUE(std::holds_alternative<Ignored>(press(R"({"type":"view_submission"})")));
    EXPECT_TRUE(std::holds_alternative<Ignored>(
        press(R"({"type":"block_actions","actions":[{"action_id":"other_app","value":"x"}]})")));
    // Wrong shapes: 400.
    for (
        const char* bad :
        {R"({"type":1})", R"([])", R"("x")", R"({"type":"block_actions"})",
         R"({"type":"block_actions","actions":[1]})",
         R"({"type":"block_actions","actions":[{"action_id":["a"]}]})",
         R"({"type":"block_actions","user":{"id":"U0BOB"},"actions":[{"action_id":"muster_resolve","value":"nope"}]})"})
        EXPECT_TRUE(std::holds_alternative<BadRequest>(press(bad))) << bad;
    EXPECT_TRUE(std::holds_alternative<BadRequest>(read_interaction("nopayload=1")));
}

TEST(SlackInbound, PinsAndPushpinsAreTheSameKindOfEvent) {
    const auto pin = read_event(
        R"({"type":"event_callback","event_id":"Ev1","event":{"type":"pin_added","user":"U0A",)"
        R"("channel_id":"C1","item":{"type":"message","message":{"ts":"1700000000.000100",)"
        R"("user":"U0B","text":"db &lt;primary&gt; is &amp; was down <@U0C|carol>"}}}})");
    ASSERT_TRUE(std::holds_alternative<PinnedMessage>(pin));
    const auto& p = std::get<PinnedMessage>(pin);
    EXPECT_EQ(p.channel, "C1");
    EXPECT_EQ(p.ts, "1700000000.000100");
    EXPECT_EQ(p.author, "U0B");
    EXPECT_EQ(p.pinned_by, "U0A");
    EXPECT_EQ(p.text, "db <primary> is & was down @U0C");
    EXPECT_FALSE(p.via_reaction);
    const auto react = read_event(
        R"({"type":"event_callback","event_id":"Ev2","event":{"type":"reaction_added","user":"U0A",)"
        R"("reaction":"pushpin","item":{"type":"message","channel":"C1","ts":"1700000000.000100"}}})");
    ASSERT_TRUE(std::holds_alternative<PinnedMessage>(react));
    EXPECT_TRUE(std::get<PinnedMessage>(react).via_reaction);
    EXPECT_EQ(std::get<PinnedMessage>(react).ts, "1700000000.000100");
    EXPECT_TRUE(std::holds_alternative<Ignored>(read_event(
        R"({"type":"event_callback","event_id":"Ev3","event":{"type":"reaction_added","reaction":"tada","item":{"channel":"C1","ts":"1.2"}}})")));
    EXPECT_TRUE(std::holds_alternative<UrlVerification>(
        read_event(R"({"type":"url_verification","challenge":"abc"})")));
    EXPECT_EQ(ts_to_ms("1700000000.000100"), 1700000000000);
    EXPECT_EQ(ts_to_ms("nan"), 0);
    EXPECT_EQ(ts_to_ms("1e300"), 0);
    EXPECT_EQ(ts_to_ms("12abc"), 0);
}
