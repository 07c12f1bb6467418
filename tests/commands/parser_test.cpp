#include "commands/parser.h"

#include <gtest/gtest.h>

using namespace muster;

namespace {
const Grammar g;
Command ok(const std::string& text) {
    auto r = parse_command(text, g);
    if (auto* e = std::get_if<UsageError>(&r)) ADD_FAILURE() << text << " → " << e->text();
    return std::get_if<Command>(&r) ? std::get<Command>(r) : Command{};
}
UsageError bad(const std::string& text) {
    auto r = parse_command(text, g);
    if (std::get_if<Command>(&r)) ADD_FAILURE() << text << " parsed but should not";
    return std::get_if<UsageError>(&r) ? std::get<UsageError>(r) : UsageError{};
}
}  // namespace

TEST(Parser, Declare) {
    auto c = ok("declare P1 checkout API 5xx");
    EXPECT_EQ(c.verb, Verb::declare);
    EXPECT_EQ(c.severity, "P1");
    EXPECT_EQ(c.text, "checkout API 5xx");
    EXPECT_EQ(ok("DECLARE p0   db   gone  ").severity, "P0");
    EXPECT_EQ(ok("declare p0   db   gone  ").text, "db   gone");
    auto m = ok("declare impact=high urgency=low search is slow");
    EXPECT_EQ(m.impact, Level::high);
    EXPECT_EQ(m.urgency, Level::low);
    EXPECT_TRUE(m.severity.empty());
    EXPECT_EQ(m.text, "search is slow");
    EXPECT_EQ(ok("declare urgency=med impact=low x").impact, Level::low);
}

TEST(Parser, DeclareErrorsCarryTheUsageLine) {
    auto e = bad("declare");
    EXPECT_NE(e.usage.find("/incident declare [--drill] <P0-P3> <title…>"), std::string::npos);
    EXPECT_NE(bad("declare P7 x").message.find("'P7' is not a severity (P0-P3)"),
              std::string::npos);
    EXPECT_NE(bad("declare P1").message.find("title"), std::string::npos);
    EXPECT_NE(bad("declare impact=high x").message.find("both"), std::string::npos);
    EXPECT_NE(bad("declare impact=huge urgency=low x").message.find("'huge'"), std::string::npos);
}

TEST(Parser, IncidentIdAfterTheVerb) {
    auto c = ok("ack inc-20261122-7");
    EXPECT_EQ(c.verb, Verb::ack);
    EXPECT_EQ(c.incident_id, "INC-20261122-007");
    EXPECT_FALSE(ok("ack").incident_id);
    auto n = ok("note INC-20261122-001 restarted pods");
    EXPECT_EQ(n.incident_id, "INC-20261122-001");
    EXPECT_EQ(n.text, "restarted pods");
    EXPECT_NE(bad("ack now please").message.find("takes no text"), std::string::npos);
}

TEST(Parser, EveryVerb) {
    auto u = ok("update identified bad deploy\nrolling back");
    EXPECT_EQ(u.status, Status::identified);
    EXPECT_EQ(u.text, "bad deploy\nrolling back");
    EXPECT_EQ(ok("acknowledge").verb, Verb::ack);
    auto r = ok("resolve rolled back");
    EXPECT_EQ(r.verb, Verb::resolve);
    EXPECT_EQ(r.text, "rolled back");
    EXPECT_EQ(ok("resolve").text, "");
    EXPECT_EQ(ok("reopen errors are back").verb, Verb::reopen);
    EXPECT_EQ(ok("severity p0").severity, "P0");
    auto role = ok("role ic <@U024BE7LH|alice>");
    EXPECT_EQ(role.role, Role::ic);
    EXPECT_EQ(role.user, "U024BE7LH");
    EXPECT_EQ(ok("role comms @bob").user, "@bob");
    EXPECT_EQ(ok("role tech me").user, "me");
    EXPECT_EQ(ok("note pods restarted").text, "pods restarted");
    auto a = ok("action add alert on queue depth <@U1> due:2026-12-01");
    EXPECT_EQ(a.text, "add alert on queue depth");
    EXPECT_EQ(a.owner, "U1");
    EXPECT_EQ(a.due, "2026-12-01");
    auto a2 = ok("action write runbook due:2024-02-29");
    EXPECT_EQ(a2.owner, "");
    EXPECT_EQ(a2.due, "2024-02-29");
    EXPECT_EQ(ok("impact EU customers cannot pay").verb, Verb::impact);
    EXPECT_EQ(ok("rootcause expired cert").text, "expired cert");
    EXPECT_EQ(ok("status").verb, Verb::status);
    EXPECT_EQ(ok("list").verb, Verb::list);
    EXPECT_EQ(ok("help").verb, Verb::help);
    EXPECT_EQ(ok("help declare").help_topic, Verb::declare);
    EXPECT_EQ(ok("").verb, Verb::help);
    EXPECT_EQ(ok("   ").verb, Verb::help);
}

TEST(Parser, MalformedCommandsAreSpecific) {
    EXPECT_NE(bad("update fixed it").message.find("'fixed' is not a status"), std::string::npos);
    EXPECT_NE(bad("update monitoring").message.find("what changed"), std::string::npos);
    EXPECT_NE(bad("severity").message.find("new severity"), std::string::npos);
    EXPECT_NE(bad("severity P1 P2").message.find("only"), std::string::npos);
    EXPECT_NE(bad("role boss @a").message.find("ic, tech, ops and comms"), std::string::npos);
    EXPECT_NE(bad("role ic alice").message.find("@user"), std::string::npos);
    EXPECT_NE(bad("action due:2026-02-30").message.find("is not a date"), std::string::npos);
    EXPECT_NE(bad("action fix it due:2025-02-29").message.find("is not a date"), std::string::npos);
    EXPECT_NE(bad("action <@U1>").message.find("action item"), std::string::npos);
    EXPECT_NE(bad("note").message.find("the note"), std::string::npos);
    // export arrives with the PIR issue
    EXPECT_EQ(ok("page L2").text, "L2");
    EXPECT_EQ(ok("page INC-20261122-001 <@U0BOB>").user, "U0BOB");
    EXPECT_EQ(ok("page INC-20261122-001 <@U0BOB>").text, "");
    // A mention decoded from Slack ("@U…" of Slack's id shape) is a user; anything else is a
    // level or contact for the escalation to check, never a user id.
    EXPECT_EQ(ok("page @U0BOB1").user, "U0BOB1");
    for (const char* word : {"Level2", "Eng-manager", "L2.", "@bob", "UNKNOWN"}) {
        EXPECT_EQ(ok(std::string("page ") + word).user, "") << word;
        EXPECT_EQ(ok(std::string("page ") + word).text, word);
    }
    EXPECT_NE(bad("page").message.find("Say whom to page"), std::string::npos);
    EXPECT_NE(bad("export pdf").message.find("Formats are markdown, html and json"),
              std::string::npos);
    EXPECT_NE(bad("export INC-20261122-001 html json").usage.find("/incident export"),
              std::string::npos);
    EXPECT_NE(bad("action done").message.find("Which action item?"), std::string::npos);
    EXPECT_NE(bad("exportt").message.find("Unknown command"), std::string::npos);
    EXPECT_NE(bad("frobnicate").text().find("Usage: /incident <declare|"), std::string::npos);
}

TEST(Parser, UnicodeAndLongText) {
    EXPECT_EQ(ok("declare P2 Zürich 🔥 checkout — 決済").text, "Zürich 🔥 checkout — 決済");
    // Long text is never refused: a pasted alert line is the title, as pasted.
    const std::string title300 = std::string(299, 'x') + "é";
    EXPECT_EQ(ok("declare P1 " + title300).text, title300);
    // Beyond the stored cap it is cut visibly, in characters.
    const auto huge = ok("declare P1 " + std::string(2'500, 'y')).text;
    EXPECT_EQ(utf8_length(huge), g.max_title_chars);
    EXPECT_EQ(huge.substr(huge.size() - 3), "…");
    const auto note = ok("note " + std::string(100'000, 'n')).text;
    EXPECT_EQ(utf8_length(note), g.max_text_chars);
    for (const char* verb : {"update identified ", "impact ", "rootcause ", "action ", "resolve "})
        EXPECT_EQ(utf8_length(ok(verb + std::string(30'000, 'q')).text), g.max_text_chars) << verb;
    // A title is one line; control characters never get in (terminal escapes, bells).
    EXPECT_EQ(ok("declare P1 db\r\ndown\x1b[2J now\x07").text, "db down[2J now");
    EXPECT_EQ(ok("note line one\r\nline two\x1b]0;x\x07").text, "line one\nline two]0;x");
    EXPECT_NE(bad("declare P1 bad \xff\xfe bytes").message.find("UTF-8"), std::string::npos);
    EXPECT_NE(bad(std::string(5000, 'z')).message.find("…"), std::string::npos);  // echo is cut
}

TEST(Parser, Utf8Validation) {
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("é 🔥 決"));
    EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
    EXPECT_EQ(utf8_length("é🔥x"), 3u);
}

TEST(Parser, ConfiguredSeverities) {
    Grammar custom;
    custom.severities = {"SEV1", "SEV2"};
    auto r = parse_command("declare sev2 x", custom);
    ASSERT_TRUE(std::get_if<Command>(&r));
    EXPECT_EQ(std::get<Command>(r).severity, "SEV2");
    auto e = parse_command("declare P1 x", custom);
    ASSERT_TRUE(std::get_if<UsageError>(&e));
    EXPECT_NE(std::get<UsageError>(e).message.find("SEV1|SEV2"), std::string::npos);
}

TEST(Parser, ReviewVerbs) {
    // export: the PIR, Markdown unless a format is named; the incident may be named first.
    EXPECT_EQ(ok("export").verb, Verb::export_pir);
    EXPECT_EQ(ok("export").text, "markdown");
    EXPECT_EQ(ok("export HTML").text, "html");
    EXPECT_EQ(ok("export md").text, "markdown");
    const auto named = ok("export INC-20261122-001 json");
    EXPECT_EQ(named.incident_id, "INC-20261122-001");
    EXPECT_EQ(named.text, "json");
    // decline: not an incident after all, with an optional reason.
    const auto d = ok("decline INC-20261122-001 canary noise, not user facing");
    EXPECT_EQ(d.verb, Verb::decline);
    EXPECT_EQ(d.text, "canary noise, not user facing");
    // drills: the flag before or after the severity, never part of the title.
    const auto drill = ok("declare --drill P2 game day: failover");
    EXPECT_TRUE(drill.drill);
    EXPECT_EQ(drill.severity, "P2");
    EXPECT_EQ(drill.text, "game day: failover");
    EXPECT_TRUE(ok("declare P2 --drill db failover").drill);
    EXPECT_EQ(ok("declare P2 --drill db failover").text, "db failover");
    EXPECT_FALSE(ok("declare P2 db failover --drill").drill);  // at the end it is title text
    // action items are closed and reopened by number.
    const auto done = ok("action done 2");
    EXPECT_EQ(done.action_number, 2);
    EXPECT_TRUE(done.action_done);
    const auto again = ok("action INC-20261122-001 reopen 3");
    EXPECT_EQ(again.action_number, 3);
    EXPECT_FALSE(again.action_done);
    EXPECT_EQ(ok("action done with the rollback runbook @U0BOB1").action_number, 0);
    EXPECT_EQ(ok("action done testing").text, "done testing");  // a new item, not a number
    EXPECT_NE(bad("action done 0").message.find("Which action item?"), std::string::npos);
}
