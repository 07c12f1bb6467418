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
    EXPECT_NE(text.find("Creating #incident-"), std::string::npos) << text;
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
    EXPECT_EQ(w.fake.channel("C0ANNOUNCE")->messages.size(), 2u);
}
