// The real build/muster pointed at the local fake Slack: a declaration in Slack end to end,
// updates keeping the headline current, and faults that delay messages without losing or
// reordering them.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"
#include "tests/support/fake_slack.h"

#include <SQLiteCpp/Statement.h>

using namespace muster;
using namespace muster::test;

namespace {

struct SlackWorld {
    FakeSlack fake;
    std::unique_ptr<MusterServer> server;
    explicit SlackWorld(const std::string& extra = "") {
        for (const char* u : {"U0E2E", "U0SRE", "U0ONCALL"}) fake.add_user(u);
        server = std::make_unique<MusterServer>(
            "slack:\n  bot_token: xoxb-test-token\n  api_url: " + fake.api_url() +
            "\n  announce_channel: C0ANNOUNCE\n  responders: [U0SRE]\n  timeout: 1s\n" + extra);
        server->response_url = fake.response_url();
    }
    // Waits until Muster has nothing left to send to Slack.
    bool drained(int timeout_ms = 20'000) {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (std::chrono::steady_clock::now() < deadline) {
            if (server->rows_where("outbox", "status = 'pending'") == 0) return true;
            fake.wait_until([](FakeSlack&) { return false; }, 100);  // wake on the next Slack call
        }
        return false;
    }
};

// What is still waiting in the outbox, for failure messages.
std::string pending(const MusterServer& s) {
    auto db = open_database({s.db(), "full", 5000, true});
    SQLite::Statement q(*db,
                        "SELECT id, kind, attempts, next_attempt_at, IFNULL(last_error, '') FROM "
                        "outbox WHERE status = 'pending'");
    std::string out;
    while (q.executeStep())
        out += "#" + q.getColumn(0).getString() + " " + q.getColumn(1).getString() +
               " attempts=" + q.getColumn(2).getString() + " next=" + q.getColumn(3).getString() +
               " " + q.getColumn(4).getString() + "\n";
    return out;
}

std::string id_in(const std::string& text) {
    return text.substr(text.find("INC-"), 16);
}

}  // namespace

TEST(SlackE2E, OneDeclarationMakesOneChannelWithEverythingInIt) {
    SlackWorld w;
    const auto r = w.server->command("declare P1 Checkout API 5xx!!! 🔥");
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string text = json_of(r)["text"];
    // The answer cannot know the channel's name yet (it may be taken: then it is "…-2"), so it
    // names none; the link follows through response_url once the channel exists.
    EXPECT_NE(text.find("Creating the incident channel"), std::string::npos) << text;
    EXPECT_EQ(text.find("#incident-"), std::string::npos) << text;
    ASSERT_TRUE(w.drained()) << w.server->proc->err();

    // Exactly one channel, named by the convention.
    const auto creates = w.fake.calls("conversations.create");
    ASSERT_EQ(creates.size(), 1u);
    const std::string name = creates[0].args["name"];
    EXPECT_TRUE(std::regex_match(name, std::regex("incident-\\d{8}-\\d{4}-checkout-api-5xx")))
        << name;
    const auto ch = w.fake.channel_by_name(name);
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->members, (std::set<std::string>{"U0E2E", "U0SRE"}));
    EXPECT_NE(ch->topic.find("P1 High · Investigating · IC: unassigned"), std::string::npos)
        << ch->topic;
    ASSERT_GE(ch->messages.size(), 1u);
    EXPECT_TRUE(ch->messages[0].pinned);
    const std::string decl = ch->messages[0].args["blocks"].dump();
    EXPECT_NE(decl.find("INCIDENT DECLARED"), std::string::npos);
    EXPECT_NE(decl.find("Checkout API 5xx!!! 🔥"), std::string::npos);
    // Announced in the announce channel and the severity's alert channel, linking the channel.
    const auto ann = w.fake.channel("C0ANNOUNCE");
    ASSERT_EQ(ann->messages.size(), 1u);
    EXPECT_NE(ann->messages[0].args["blocks"].dump().find("<#" + ch->id + ">"), std::string::npos);
    ASSERT_EQ(w.fake.channel("C0WARN")->messages.size(), 1u);
    const auto follow_ups = w.fake.responses();
    ASSERT_EQ(follow_ups.size(), 1u);
    EXPECT_EQ(follow_ups[0]["response_type"], "in_channel");
    EXPECT_NE(follow_ups[0]["text"].get<std::string>().find("<#" + ch->id + ">"), std::string::npos)
        << follow_ups[0].dump();

    // Inside the new channel the incident is implied; the headline follows every change.
    const std::string id = id_in(text);
    EXPECT_EQ(w.server->command("update identified bad deploy", ch->id).status, 200);
    EXPECT_EQ(w.server->command("role ic <@U0ONCALL|oncall>", ch->id).status, 200);
    ASSERT_TRUE(w.drained());
    const auto after = w.fake.channel(ch->id);
    EXPECT_NE(after->topic.find("Identified · IC: <@U0ONCALL>"), std::string::npos) << after->topic;
    const auto headline = w.fake.channel("C0ANNOUNCE")->messages[0];
    EXPECT_GE(headline.updates, 2);
    EXPECT_NE(headline.args["blocks"].dump().find("Identified"), std::string::npos);
    EXPECT_NE(headline.args["blocks"].dump().find("<@U0ONCALL>"), std::string::npos);
    EXPECT_NE(after->messages.back().args["blocks"].dump().find("UPDATE"), std::string::npos);
    EXPECT_EQ(w.server->rows_where("outbox", "status = 'failed'"), 0);
    (void)id;
}

TEST(SlackE2E, FaultsDelayButNeverLoseOrReorderMessages) {
    SlackWorld w("outbox: {retry_base: 50ms, retry_max: 500ms}\n");
    w.fake.fail_next(2, 500, "chat.postMessage");
    w.fake.ratelimit_next(1, 1, "conversations.create");
    w.fake.fail_next(1, 503, "conversations.invite");
    w.fake.hang_next(1, 3000, "conversations.setTopic");  // longer than muster's 1 s timeout
    w.fake.limit_posts_per_second(2);  // stricter than Slack: our bursts of 3 meet 429s
    const std::string a =
        id_in(json_of(w.server->command("declare P2 alpha service slow"))["text"]);
    const std::string b = id_in(json_of(w.server->command("declare P3 beta typo"))["text"]);
    w.server->command("update " + a + " identified alpha first");
    w.server->command("update " + b + " identified beta first");

    // Kill -9 while a post is in flight (Slack never answers it), then start again.
    w.fake.hang_next(1, 4000, "chat.postMessage");
    w.server->command("update " + a + " monitoring alpha second");
    ASSERT_TRUE(w.fake.wait_until(
        [](FakeSlack& f) {
            for (const auto& c : f.calls("chat.postMessage"))
                if (c.error == "hang") return true;
            return false;
        },
        20'000));
    w.server->proc->signal(SIGKILL);
    w.server->proc->wait_exit();
    w.server->start();
    ASSERT_NE(w.server->port, 0);
    w.server->command("update " + b + " monitoring beta second");
    w.server->command("update " + a + " monitoring alpha third");
    ASSERT_TRUE(w.drained(60'000)) << pending(*w.server) << w.server->proc->err();
    EXPECT_EQ(w.server->rows_where("outbox", "status = 'failed'"), 0);

    // Every message arrived once, in the order it was written, in each incident's channel.
    auto texts = [&](const std::string& incident) {
        auto db = open_database({w.server->db(), "full", 5000, true});
        SQLite::Statement q(*db, "SELECT channel_id FROM incident_channels WHERE incident_id = ?");
        q.bind(1, incident);
        EXPECT_TRUE(q.executeStep());
        std::vector<std::string> out;
        const auto channel = w.fake.channel(q.getColumn(0).getString());
        for (const auto& m : channel->messages) {
            const std::string blocks = m.args["blocks"].dump();
            for (const char* marker : {"INCIDENT DECLARED", "first", "second", "third"})
                if (blocks.find(marker) != std::string::npos) out.push_back(marker);
        }
        return out;
    };
    EXPECT_EQ(texts(a),
              (std::vector<std::string>{"INCIDENT DECLARED", "first", "second", "third"}));
    EXPECT_EQ(texts(b), (std::vector<std::string>{"INCIDENT DECLARED", "first", "second"}));
    EXPECT_EQ(w.fake.calls("conversations.create").size(), 3u);  // one 429, then one per incident
    // Each incident announced once. Held up by the faults past kFoldAfterMs, the two may share
    // one digest (a backlog in a shared channel); neither is lost or posted twice.
    const auto announced = w.fake.channel("C0ANNOUNCE")->messages;
    for (const std::string& id : {a, b}) {
        int n = 0;
        for (const auto& m : announced)
            if (m.args["blocks"].dump().find(id) != std::string::npos) ++n;
        EXPECT_EQ(n, 1) << id;
    }
    EXPECT_GE(announced.size(), 1u);
    EXPECT_LE(announced.size(), 2u);
}

namespace {
HttpResult press(const SlackWorld& w, const std::string& action, const std::string& incident,
                 const std::string& user, const std::string& channel,
                 const std::string& response_url) {
    const nlohmann::json payload = {
        {"type", "block_actions"},
        {"user", {{"id", user}, {"username", "presser"}, {"team_id", "T0E2E"}}},
        {"team", {{"id", "T0E2E"}, {"domain", "e2e"}}},
        {"channel", {{"id", channel}, {"name", "incident"}}},
        {"actions",
         {{{"action_id", action}, {"block_id", "b"}, {"value", incident}, {"action_ts", "1.2"}}}},
        {"response_url", response_url},
        {"trigger_id", next_trigger_id()},
        {"api_app_id", "A0E2E"}};
    return w.server->post_signed_to("/slack/interactions", "payload=" + url_encode(payload.dump()),
                                    unix_now());
}

HttpResult event(const SlackWorld& w, const nlohmann::json& body, const std::string& retry = "") {
    const std::string text = body.dump();
    const std::string ts = std::to_string(unix_now());
    std::vector<std::pair<std::string, std::string>> h = {
        {"Content-Type", "application/json"},
        {"X-Slack-Request-Timestamp", ts},
        {"X-Slack-Signature", slack::sign(w.server->secret, ts, text)}};
    if (!retry.empty()) h.emplace_back("X-Slack-Retry-Num", retry);
    return http_request(w.server->port, "POST", "/slack/events", h, text);
}

std::string channel_of(const SlackWorld& w, const std::string& incident) {
    auto db = open_database({w.server->db(), "full", 5000, true});
    SQLite::Statement q(*db, "SELECT channel_id FROM incident_channels WHERE incident_id = ?");
    q.bind(1, incident);
    return q.executeStep() ? q.getColumn(0).getString() : "";
}
}  // namespace

TEST(SlackE2E, ButtonsActAsThePersonWhoPressedThem) {
    SlackWorld w;
    const std::string id = id_in(json_of(w.server->command("declare P1 payments down"))["text"]);
    ASSERT_TRUE(w.drained());
    const std::string ch = channel_of(w, id);
    ASSERT_FALSE(ch.empty());
    EXPECT_EQ(press(w, "muster_acknowledge", id, "U0ONCALL", ch, w.fake.response_url()).status,
              200);
    EXPECT_EQ(press(w, "muster_take_ic", id, "U0ONCALL", ch, w.fake.response_url()).status, 200);
    ASSERT_TRUE(w.drained());
    {
        auto db = read_storage(w.server->db());
        const auto state = db->load(id);
        ASSERT_TRUE(state);
        const Incident* inc = &state->incident;
        EXPECT_EQ(inc->acknowledged_by, "U0ONCALL");
        EXPECT_EQ(inc->ic, "U0ONCALL");
    }
    // The pinned declaration was refreshed in place and now names the IC.
    const auto decl = w.fake.channel(ch)->messages[0];
    EXPECT_GE(decl.updates, 2);
    EXPECT_NE(decl.args["blocks"].dump().find("<@U0ONCALL>"), std::string::npos);
    // A second press changes nothing and tells only the presser why.
    EXPECT_EQ(press(w, "muster_acknowledge", id, "U0E2E", ch, w.fake.response_url()).status, 200);
    // (The first response is the declaration's channel link.)
    ASSERT_TRUE(w.fake.wait_until([](FakeSlack& f) { return f.responses().size() == 2; }));
    EXPECT_NE(
        w.fake.responses()[1]["text"].get<std::string>().find("already acknowledged by @U0ONCALL"),
        std::string::npos);
    EXPECT_EQ(w.fake.responses()[1]["response_type"], "ephemeral");
    EXPECT_EQ(press(w, "muster_resolve", id, "U0ONCALL", ch, w.fake.response_url()).status, 200);
    ASSERT_TRUE(w.drained());
    EXPECT_NE(w.fake.channel(ch)->topic.find("Resolved"), std::string::npos);
    // Forged presses are refused and change nothing.
    const auto forged = http_request(
        w.server->port, "POST", "/slack/interactions",
        {{"X-Slack-Request-Timestamp", std::to_string(unix_now())}, {"X-Slack-Signature", "v0=00"}},
        "payload=%7B%7D");
    EXPECT_EQ(forged.status, 401);
    EXPECT_EQ(
        w.server->post_signed_to("/slack/interactions", "payload=not-json", unix_now()).status,
        400);
}

// Slack retries an interaction it got no answer for: the same press (same trigger_id) acts once.
TEST(SlackE2E, ARetriedButtonPressActsOnce) {
    SlackWorld w;
    const std::string id = id_in(json_of(w.server->command("declare P1 payments down"))["text"]);
    ASSERT_TRUE(w.drained());
    const std::string ch = channel_of(w, id);
    const nlohmann::json payload = {
        {"type", "block_actions"},
        {"user", {{"id", "U0ONCALL"}, {"username", "oncall"}}},
        {"team", {{"id", "T0E2E"}}},
        {"channel", {{"id", ch}}},
        {"actions", {{{"action_id", "muster_acknowledge"}, {"value", id}, {"action_ts", "3.4"}}}},
        {"response_url", w.fake.response_url()},
        {"trigger_id", "77.88.99"}};
    const std::string body = "payload=" + url_encode(payload.dump());
    EXPECT_EQ(w.server->post_signed_to("/slack/interactions", body, unix_now()).status, 200);
    EXPECT_EQ(w.server->post_signed_to("/slack/interactions", body, unix_now()).status, 200);
    ASSERT_TRUE(w.drained());
    EXPECT_EQ(w.server->rows_where("timeline", "type = 'acknowledged'"), 1);
    // No "already acknowledged" told to the presser either: the retry was not a second press.
    for (const auto& r : w.fake.responses())
        EXPECT_EQ(r["text"].get<std::string>().find("already"), std::string::npos) << r.dump();
}

TEST(SlackE2E, PinsAndPushpinReactionsReachTheTimelineOnce) {
    SlackWorld w;
    const auto challenge =
        event(w, {{"token", "t"}, {"challenge", "c-123"}, {"type", "url_verification"}});
    EXPECT_EQ(challenge.status, 200);
    EXPECT_EQ(json_of(challenge)["challenge"], "c-123");

    const std::string id = id_in(json_of(w.server->command("declare P2 search slow"))["text"]);
    ASSERT_TRUE(w.drained());
    const std::string ch = channel_of(w, id);
    w.server->command("update identified index rebuild is stuck", ch);
    ASSERT_TRUE(w.drained());
    const std::string update_ts = w.fake.channel(ch)->messages.back().ts;

    const nlohmann::json pin = {{"type", "event_callback"},
                                {"event_id", "Ev0PIN1"},
                                {"event_time", unix_now()},
                                {"team_id", "T0E2E"},
                                {"event",
                                 {{"type", "pin_added"},
                                  {"user", "U0SRE"},
                                  {"channel_id", ch},
                                  {"item",
                                   {{"type", "message"},
                                    {"channel", ch},
                                    {"message",
                                     {{"type", "message"},
                                      {"user", "U0E2E"},
                                      {"text", "rolled back to v41"},
                                      {"ts", "1795340000.000200"}}}}},
                                  {"event_ts", "1795340100.000300"}}}};
    EXPECT_EQ(event(w, pin).status, 200);
    EXPECT_EQ(event(w, pin, "1").status, 200);  // Slack's retry: no second effect
    const nlohmann::json react = {
        {"type", "event_callback"},
        {"event_id", "Ev0REACT1"},
        {"event_time", unix_now()},
        {"event",
         {{"type", "reaction_added"},
          {"user", "U0SRE"},
          {"reaction", "pushpin"},
          {"item", {{"type", "message"}, {"channel", ch}, {"ts", update_ts}}},
          {"event_ts", "1.2"}}}};
    EXPECT_EQ(event(w, react).status, 200);
    EXPECT_EQ(event(w, react, "2").status, 200);
    // Noise that must not reach the timeline: other reactions, other channels.
    nlohmann::json other = react;
    other["event_id"] = "Ev0REACT2";
    other["event"]["reaction"] = "eyes";
    EXPECT_EQ(event(w, other).status, 200);
    other["event_id"] = "Ev0REACT3";
    other["event"]["reaction"] = "pushpin";
    other["event"]["item"]["channel"] = "C0ANNOUNCE";
    EXPECT_EQ(event(w, other).status, 200);
    // One user action can reach us as several events: the same pin under new event_ids, and a
    // 📌 on a message that is pinned too. One timeline entry per message.
    for (const char* again : {"Ev0PIN2", "Ev0PIN3"}) {
        nlohmann::json dup = pin;
        dup["event_id"] = again;
        EXPECT_EQ(event(w, dup).status, 200);
    }
    nlohmann::json pinned_and_reacted = react;
    pinned_and_reacted["event_id"] = "Ev0REACT4";
    pinned_and_reacted["event"]["item"]["ts"] = "1795340000.000200";
    EXPECT_EQ(event(w, pinned_and_reacted).status, 200);
    nlohmann::json pinned_after_react = pin;
    pinned_after_react["event_id"] = "Ev0PIN4";
    pinned_after_react["event"]["item"]["message"]["ts"] = update_ts;
    EXPECT_EQ(event(w, pinned_after_react).status, 200);
    ASSERT_TRUE(w.drained());

    const auto exported =
        run_muster({"export", id, "--format", "incident", "--db", w.server->db()});
    const auto doc = nlohmann::json::parse(exported.out);
    std::vector<nlohmann::json> pinned;
    for (const auto& e : doc["timeline"])
        if (e["type"] == "pinned_message") pinned.push_back(e);
    ASSERT_EQ(pinned.size(), 2u) << doc["timeline"].dump(2);
    EXPECT_EQ(pinned[0]["text"], "rolled back to v41");
    EXPECT_EQ(pinned[0]["actor"], "U0SRE");
    EXPECT_EQ(pinned[0]["data"]["author"], "U0E2E");
    EXPECT_EQ(pinned[0]["at"], "2026-11-22T09:33:20Z");  // the message's own time
    EXPECT_NE(pinned[1]["text"].get<std::string>().find("Identified"), std::string::npos);
    EXPECT_EQ(event(w, {{"type", "event_callback"}}).status, 400);
    EXPECT_EQ(w.server->post_signed_to("/slack/events", "{not json", unix_now()).status, 400);
}

TEST(SlackE2E, NamesCollideIntoNewChannelsAndHostileTitlesStayText) {
    SlackWorld w;
    const std::string a = id_in(json_of(w.server->command("declare P3 Same Title"))["text"]);
    const std::string b = id_in(json_of(w.server->command("declare P3 same title!"))["text"]);
    const std::string c = id_in(json_of(w.server->command("declare P3 !!! ???"))["text"]);
    // As Slack sends it: the user typed "<!channel>", "R&D" and "<prod>" (entities), and
    // Slack's own markup for a link and an @here.
    const std::string d = id_in(
        json_of(w.server->command("declare P3 &lt;!channel&gt; pay <https://evil.example|here> "
                                  "R&amp;D &lt;prod&gt; <!here> " +
                                  std::string(200, 'x')))["text"]);
    ASSERT_TRUE(w.drained(30'000)) << pending(*w.server);
    const auto name_a = w.fake.channel(channel_of(w, a))->name;
    const auto name_b = w.fake.channel(channel_of(w, b))->name;
    const auto name_c = w.fake.channel(channel_of(w, c))->name;
    const auto name_d = w.fake.channel(channel_of(w, d))->name;
    EXPECT_TRUE(std::regex_match(name_a, std::regex("incident-\\d{8}-\\d{4}-same-title")))
        << name_a;
    // Declared in the same minute: never the same channel (unless the minute turned in between).
    EXPECT_NE(name_a, name_b);
    EXPECT_TRUE(std::regex_match(name_c, std::regex("incident-\\d{8}-\\d{4}(-\\d)?")))
        << name_c << " " << name_a << " " << name_b;
    EXPECT_LE(name_d.size(), 80u);
    EXPECT_TRUE(std::regex_match(
        name_d,
        std::regex(
            "incident-\\d{8}-\\d{4}-channel-pay-here-https-evil-example-r-d-prod-here(-x+)?")))
        << name_d;
    const auto hostile = w.fake.channel(channel_of(w, d));
    std::string mrkdwn_text;
    for (std::size_t i = 1; i < hostile->messages[0].args["blocks"].size(); ++i)
        mrkdwn_text += hostile->messages[0].args["blocks"][i].dump();
    // Decoded once at intake, escaped once here: no ping, no link, no double escape.
    EXPECT_EQ(mrkdwn_text.find("<!channel>"), std::string::npos);
    EXPECT_EQ(mrkdwn_text.find("<!here>"), std::string::npos);
    EXPECT_EQ(mrkdwn_text.find("<https://evil"), std::string::npos);
    EXPECT_NE(mrkdwn_text.find("&lt;!channel&gt; pay here (https://evil.example) R&amp;D "
                               "&lt;prod&gt; @here"),
              std::string::npos)
        << mrkdwn_text;
    EXPECT_EQ(mrkdwn_text.find("&amp;amp;"), std::string::npos);
    EXPECT_EQ(hostile->topic.find("<!channel>"), std::string::npos) << hostile->topic;
    {
        auto db = read_storage(w.server->db());
        EXPECT_EQ(db->load(d)->incident.title.substr(0, 62),
                  "<!channel> pay here (https://evil.example) R&D <prod> @here xx");
    }
    EXPECT_EQ(w.server->rows_where("outbox", "status = 'failed'"), 0);
}
