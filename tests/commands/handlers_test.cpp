#include "commands/handlers.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "bot/messages/message.h"
#include "integrations/slack/block_kit.h"
#include "tests/support/core_world.h"

using namespace muster;

namespace {

const EpochMs kT0 = 1795339800000;  // 2026-11-22T09:30:00Z

// The handlers inside the real core over a real SQLite file. `now` is the fake clock's time.
struct World : test::CoreWorld {
    World() : test::CoreWorld(default_config(), kT0) {}
    struct Now {
        World& w;
        Now& operator=(EpochMs t) {
            w.clock.set(t);
            return *this;
        }
        Now& operator+=(EpochMs d) {
            w.clock.advance(d);
            return *this;
        }
        operator EpochMs() const { return w.clock.now_ms(); }
    } now{*this};

    Reply run(const std::string& text, const std::string& channel = "C0GENERAL",
              const std::string& user = "U0ALICE") {
        return test::CoreWorld::run(text, user, channel);
    }
    template <typename T>
    T query(std::function<T(SQLite::Database&)> fn) {
        return q<T>(fn);
    }
    Incident incident(const std::string& id) { return storage->load(id)->incident; }
    std::vector<TimelineEvent> timeline(const std::string& id) { return storage->timeline(id); }
    std::vector<OutboxItem> outbox(const std::string& id) { return storage->rows(id); }
};

}  // namespace

TEST(Handlers, DeclareWritesIncidentTimelineChannelAndMessages) {
    World w;
    const Reply r = w.run("declare P1 checkout API 5xx");
    EXPECT_TRUE(r.in_channel);
    EXPECT_FALSE(r.error);
    EXPECT_NE(r.text.find("INC-20261122-001"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("#incident-20261122-0930-checkout-api-5xx"), std::string::npos) << r.text;

    const Incident inc = w.incident("INC-20261122-001");
    EXPECT_EQ(inc.severity, "P1");
    EXPECT_EQ(inc.status, Status::investigating);
    EXPECT_EQ(inc.title, "checkout API 5xx");
    EXPECT_EQ(inc.reporter, "U0ALICE");
    EXPECT_EQ(inc.declared_at, kT0);
    EXPECT_EQ(inc.channel, "#incident-20261122-0930-checkout-api-5xx");

    const auto tl = w.timeline(inc.id);
    ASSERT_EQ(tl.size(), 3u);
    EXPECT_EQ(tl[2].type, "page_sent");  // level 1, at once
    EXPECT_EQ(tl[0].type, "declared");
    EXPECT_EQ(tl[0].actor, "U0ALICE");
    EXPECT_EQ(tl[0].source, "slack");
    EXPECT_EQ(tl[1].type, "channel_created");

    // The declaration in its channel, the announcements, and level 1's page (due at once, so
    // paged in the declaration's own transaction): what the console will render and print.
    const auto out = w.outbox(inc.id);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].kind, "declaration");
    EXPECT_EQ(out[0].queue, "console:#incident-20261122-0930-checkout-api-5xx");
    EXPECT_EQ(out[1].queue, "console:#incidents");
    EXPECT_EQ(out[2].queue, "console:#alerts-warning");
    EXPECT_EQ(out[3].kind, "page");
    EXPECT_EQ(out[3].priority, kPagePriority);
    const auto payload = nlohmann::json::parse(out[0].payload);
    EXPECT_EQ(payload["message"]["template"], "declaration");
    IncidentMessages messages(w.cfg, w.templates);
    EXPECT_EQ(messages.render(payload["message"]).title, "🚨 INCIDENT DECLARED 🚨");
}

TEST(Handlers, DeclareByImpactAndUrgency) {
    World w;
    const Reply r = w.run("declare impact=high urgency=low search slow");
    EXPECT_NE(r.text.find("P1"), std::string::npos);
    EXPECT_EQ(w.incident("INC-20261122-001").severity, "P1");
    EXPECT_EQ(w.incident("INC-20261122-001").impact_level, "high");
}

TEST(Handlers, IdsArePerUtcDayAndSurviveRestart) {
    World w;
    w.run("declare P2 one");
    w.run("declare P2 two");
    w.now = kT0 + 14 * 3'600'000LL + 29 * 60'000 + 59'999;  // 23:59:59.999 same day
    EXPECT_NE(w.run("declare P2 three").text.find("INC-20261122-003"), std::string::npos);
    w.restart();
    EXPECT_NE(w.run("declare P2 four").text.find("INC-20261122-004"), std::string::npos);
    w.now += 1;  // midnight UTC
    EXPECT_NE(w.run("declare P2 new day").text.find("INC-20261123-001"), std::string::npos);
    w.restart();  // the sequence is the database's, read again at start
    w.query<int>([](SQLite::Database& db) {
        db.exec("UPDATE id_sequences SET last_seq = 999 WHERE day = '20261123'");
        return 0;
    });
    EXPECT_NE(w.run("declare P3 busy day").text.find("INC-20261123-1000"), std::string::npos);
}

TEST(Handlers, IncidentImpliedInItsChannelAndNamedElsewhere) {
    World w;
    w.run("declare P1 db down");
    const std::string channel = "incident-20261122-0930-db-down";
    const Reply ack = w.run("ack", channel, "U0BOB");
    EXPECT_TRUE(ack.in_channel) << ack.text;
    EXPECT_EQ(w.incident("INC-20261122-001").acknowledged_by, "U0BOB");
    const Reply nowhere = w.run("note hi");
    EXPECT_TRUE(nowhere.error);
    EXPECT_NE(nowhere.text.find("not an incident channel"), std::string::npos);
    EXPECT_NE(nowhere.text.find("INC-20261122-001"), std::string::npos);  // a hint
    EXPECT_TRUE(w.run("ack INC-20261122-077").error);
    EXPECT_FALSE(w.run("note INC-20261122-001 hi").error);
}

TEST(Handlers, LifecycleRecordsOldAndNewValues) {
    World w;
    w.run("declare P2 queue backlog");
    const std::string id = "INC-20261122-001";
    w.now += 60'000;
    w.run("role ic me INC-20261122-001");  // id must follow the verb: this is a usage error
    w.run("role INC-20261122-001 ic me");
    w.run("severity " + id + " P1");
    w.now += 60'000;
    w.run("update " + id + " identified consumer stuck");
    w.run("update " + id + " monitoring restarted consumer");
    w.run("impact " + id + " delayed emails");
    w.run("rootcause " + id + " deadlock in consumer");
    w.run("action " + id + " add deadlock alert <@U0BOB> due:2026-12-01");
    w.now += 60'000;
    const Reply res = w.run("update " + id + " resolved all clear");
    EXPECT_NE(res.text.find("resolved after 3m"), std::string::npos) << res.text;
    EXPECT_NE(res.text.find("Post-incident review due by 2026-11-24 09:33 UTC"), std::string::npos)
        << res.text;

    const Incident inc = w.incident(id);
    EXPECT_EQ(inc.ic, "U0ALICE");
    EXPECT_EQ(inc.severity, "P1");
    EXPECT_EQ(inc.status, Status::resolved);
    EXPECT_EQ(inc.mitigated_at, kT0 + 120'000);
    EXPECT_EQ(inc.resolved_at, kT0 + 180'000);
    EXPECT_EQ(inc.impact, "delayed emails");
    EXPECT_EQ(inc.root_cause, "deadlock in consumer");

    std::vector<std::string> types;
    for (const auto& e : w.timeline(id)) types.push_back(e.type);
    // (Level 1 was paged in the declaration; its page message, never delivered here, is
    // withdrawn by the resolution.)
    EXPECT_EQ(types,
              (std::vector<std::string>{
                  "declared", "channel_created", "page_sent", "role_assigned", "severity_changed",
                  "escalation_replanned", "status_changed", "status_update", "status_changed",
                  "status_update", "impact_set", "root_cause_set", "action_item_added", "resolved",
                  "timers_cancelled", "pages_withdrawn"}));
    const auto tl = w.timeline(id);
    EXPECT_EQ(tl[4].field, "severity");
    EXPECT_EQ(tl[4].old_value, "P2");
    EXPECT_EQ(tl[4].new_value, "P1");
    EXPECT_EQ(tl[6].old_value, "investigating");
    EXPECT_EQ(tl[6].new_value, "identified");
    const auto& resolved = tl[tl.size() - 3];
    EXPECT_EQ(resolved.old_value, "monitoring");
    EXPECT_EQ(resolved.text, "all clear");
}

TEST(Handlers, RefusalsExplainThemselves) {
    World w;
    w.run("declare P3 typo on page");
    const std::string id = "INC-20261122-001";
    EXPECT_FALSE(w.run("ack " + id).error);
    const Reply twice = w.run("ack " + id, "C1", "U0BOB");
    EXPECT_TRUE(twice.error);
    EXPECT_NE(twice.text.find("already acknowledged by @U0ALICE"), std::string::npos) << twice.text;
    EXPECT_TRUE(w.run("severity " + id + " P3").error);
    EXPECT_FALSE(w.run("resolve " + id).error);
    const Reply again = w.run("resolve " + id);
    EXPECT_TRUE(again.error);
    EXPECT_NE(again.text.find("already resolved"), std::string::npos);
    EXPECT_NE(w.run("update " + id + " identified x").text.find("reopen it first"),
              std::string::npos);
    EXPECT_TRUE(w.run("ack " + id).error);
    EXPECT_FALSE(w.run("reopen " + id + " came back").error);
    EXPECT_EQ(w.incident(id).status, Status::investigating);
    EXPECT_FALSE(w.incident(id).resolved_at);
    EXPECT_TRUE(w.run("reopen " + id).error);
}

TEST(Handlers, StatusListAndHelp) {
    World w;
    EXPECT_EQ(w.run("list").text, "No open incidents.");
    w.run("declare P0 total outage");
    w.run("declare P3 small thing");
    w.run("resolve INC-20261122-002");
    const Reply list = w.run("list");
    EXPECT_FALSE(list.in_channel);
    EXPECT_NE(list.text.find("INC-20261122-001"), std::string::npos);
    EXPECT_EQ(list.text.find("INC-20261122-002"), std::string::npos);
    const Reply st = w.run("status INC-20261122-001");
    EXPECT_NE(st.text.find("Severity: P0 (Critical)"), std::string::npos) << st.text;
    EXPECT_NE(st.text.find("Not acknowledged yet"), std::string::npos) << st.text;
    EXPECT_NE(w.run("help").text.find("/incident declare"), std::string::npos);
    EXPECT_NE(w.run("help ack").text.find("/incident ack [INC-id]"), std::string::npos);
}

TEST(Handlers, NoConsoleMeansNoConsoleRows) {
    World w;
    w.cfg.chat.console = false;
    w.run("declare P1 quiet");
    EXPECT_TRUE(w.outbox("INC-20261122-001").empty());
}

// Two people declaring the same thing within a minute (or a pattern without a slug, like the
// runbook's incident-YYYY-MM-DD-HH-MM) must give two incidents in two channels, not a storage
// error for the second.
TEST(Handlers, SameNameInTheSameMinuteGetsANumberedChannel) {
    World w;
    const Reply a = w.run("declare P1 checkout down");
    const Reply b = w.run("declare P1 checkout down");
    ASSERT_FALSE(a.error) << a.text;
    ASSERT_FALSE(b.error) << b.text;
    const Incident first = w.incident("INC-20261122-001");
    const Incident second = w.incident("INC-20261122-002");
    EXPECT_EQ(second.channel, first.channel + "-2");
    // The second is implied inside its own channel.
    EXPECT_FALSE(w.run("note in the second", second.channel.substr(1)).error);
    EXPECT_EQ(w.timeline("INC-20261122-002").back().text, "in the second");

    w.cfg.slack.channel_name_pattern = "incident-{yyyy}-{mm}-{dd}-{hh}-{min}";
    EXPECT_FALSE(w.run("declare P2 one thing").error);
    EXPECT_FALSE(w.run("declare P2 another thing").error);
    EXPECT_EQ(w.incident("INC-20261122-003").channel, "#incident-2026-11-22-09-30");
    EXPECT_EQ(w.incident("INC-20261122-004").channel, "#incident-2026-11-22-09-30-2");
}

// An alert storm with one title: each declaration starts after the last number its name had
// (one lookup), instead of probing base, -2, …, -N again (N lookups: 216 declarations/s).
TEST(Handlers, AStormWithOneTitleCostsOneNameLookupEach) {
    World w;
    for (int i = 1; i <= 60; ++i) ASSERT_FALSE(w.run("declare P2 disk full on db-7").error) << i;
    const std::string base = "#incident-20261122-0930-disk-full-on-db-7";
    EXPECT_EQ(w.incident("INC-20261122-060").channel, base + "-60");
    EXPECT_EQ(w.query<int>([](SQLite::Database& db) {
        return db.execAndGet("SELECT last_suffix FROM channel_names WHERE platform = 'console'")
            .getInt();
    }),
              60);
    // Another title whose own name is one of those numbered names still gets a free one.
    ASSERT_FALSE(w.run("declare P2 disk full on db 7 2").error);
    EXPECT_EQ(w.incident("INC-20261122-061").channel, base + "-2-2");
    // And the counter survives a restart.
    w.restart();
    ASSERT_FALSE(w.run("declare P2 disk full on db-7").error);
    EXPECT_EQ(w.incident("INC-20261122-062").channel, base + "-61");
}

// Seed 001's status update: what we know, current actions (the notes since the last update), ETA.
TEST(Handlers, StatusUpdateCarriesCurrentActionsAndEta) {
    World w;
    w.run("declare P1 checkout down");
    const std::string ch = w.incident("INC-20261122-001").channel.substr(1);
    for (const char* text :
         {"note drained eu-west", "update identified bad deploy of cart ETA: 20 minutes",
          "note rolled back cart to v41", "note watching error rate",
          "update monitoring error rate falling"}) {
        w.now += 60'000;
        w.run(text, ch);
    }
    std::vector<std::string> updates;
    for (const auto& o : w.outbox("INC-20261122-001"))
        if (o.kind == "status_update") updates.push_back(o.payload);
    ASSERT_EQ(updates.size(), 2u);
    // As Slack (Block Kit) and the console show them: one bullet per note, never two.
    auto slack_text = [&w](const std::string& payload) {
        const auto bk = slack::render_blocks(
            IncidentMessages(w.cfg, w.templates).render(nlohmann::json::parse(payload)["message"]));
        return bk.blocks.dump();
    };
    auto console_text = [&w](const std::string& payload) {
        return render_plain(
            IncidentMessages(w.cfg, w.templates).render(nlohmann::json::parse(payload)["message"]));
    };
    const auto first = slack_text(updates[0]), second = slack_text(updates[1]);
    EXPECT_NE(first.find("ETA: 20 minutes"), std::string::npos) << first;
    EXPECT_NE(first.find("bad deploy of cart"), std::string::npos) << first;
    EXPECT_NE(first.find("• drained eu-west"), std::string::npos) << first;
    EXPECT_NE(second.find("• rolled back cart to v41\\n• watching error rate"), std::string::npos)
        << second;
    EXPECT_EQ(second.find("• •"), std::string::npos) << second;
    EXPECT_EQ(second.find("drained eu-west"), std::string::npos) << second;
    EXPECT_NE(second.find("ETA: not yet known"), std::string::npos) << second;
    const auto plain = console_text(updates[1]);
    EXPECT_NE(plain.find("- rolled back cart to v41\n- watching error rate"), std::string::npos)
        << plain;
    EXPECT_EQ(plain.find("- •"), std::string::npos) << plain;
}

// A long first note is cut on its own line; the notes after it are still there.
TEST(Handlers, ALongNoteNeverHidesTheOthers) {
    World w;
    w.run("declare P1 checkout down");
    const std::string ch = w.incident("INC-20261122-001").channel.substr(1);
    w.run("note " + std::string(5'000, 'a') + " & <tail>", ch);
    w.run("note second note", ch);
    w.run("note third & last", ch);
    w.run("update identified found it", ch);
    std::string payload;
    for (const auto& o : w.outbox("INC-20261122-001"))
        if (o.kind == "status_update") payload = o.payload;
    const Message m =
        IncidentMessages(w.cfg, w.templates).render(nlohmann::json::parse(payload)["message"]);
    const auto blocks = slack::render_blocks(m).blocks;
    std::string actions;
    for (const auto& b : blocks)
        if (b.contains("text") &&
            b["text"]["text"].get<std::string>().find("Current actions") != std::string::npos)
            actions = b["text"]["text"];
    ASSERT_FALSE(actions.empty()) << blocks.dump();
    EXPECT_LE(utf8_length(actions), 3000u);
    EXPECT_NE(actions.find("• aaaa"), std::string::npos);
    EXPECT_NE(actions.find("…\n• second note\n• third &amp; last"), std::string::npos) << actions;
}

// Made IC from the announce channel, Bob must end up in the incident channel.
TEST(Handlers, ARoleHolderIsInvitedToTheIncidentChannel) {
    World w;
    w.cfg.slack.bot_token = "xoxb-test";
    w.run("declare P1 checkout down");
    ASSERT_FALSE(w.run("role INC-20261122-001 ic <@U0BOB|bob>").error);
    ASSERT_FALSE(w.run("role INC-20261122-001 comms @carol").error);  // a name, not an id
    std::vector<nlohmann::json> invites;
    for (const auto& o : w.outbox("INC-20261122-001"))
        if (o.kind == "invite") invites.push_back(nlohmann::json::parse(o.payload));
    ASSERT_EQ(invites.size(), 2u);  // the reporter at declaration, then Bob
    EXPECT_EQ(invites[1]["users"], nlohmann::json::array({"U0BOB"}));
}
