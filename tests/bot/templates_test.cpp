#include "bot/messages/templates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bot/domain/text.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {
nlohmann::json sample() {
    return {{"id", "INC-20261122-001"},
            {"title", "Checkout \"5xx\" \\ <b>\n{{x}}"},
            {"severity", "P1"},
            {"severity_name", "High"},
            {"status_label", "Investigating"},
            {"declared_at_utc", "2026-11-22 09:30 UTC"},
            {"ic", "U0IC"},
            {"respond_within", "1h"}};
}
const MessageField* field(const Message& m, const std::string& label) {
    for (const auto& f : m.fields)
        if (f.label == label) return &f;
    return nullptr;
}
}  // namespace

TEST(Templates, DeclarationCarriesTheSeedContent) {
    Templates t;
    const Message m = t.render("declaration", sample());
    EXPECT_EQ(m.title, "🚨 INCIDENT DECLARED 🚨");
    ASSERT_TRUE(field(m, "Severity"));
    EXPECT_EQ(field(m, "Severity")->value, "P1 - High");
    // Hostile text arrives intact as data, never as template syntax or broken JSON.
    EXPECT_EQ(field(m, "Summary")->value, "Checkout \"5xx\" \\ <b>\n{{x}}");
    EXPECT_EQ(field(m, "IC")->user, "U0IC");
    EXPECT_EQ(field(m, "Start Time")->value, "2026-11-22 09:30 UTC");
    EXPECT_EQ(field(m, "Status")->value, "Investigating");
    ASSERT_EQ(m.actions.size(), 3u);
    EXPECT_EQ(m.actions[0].id, "acknowledge");
    EXPECT_EQ(m.actions[0].value, "INC-20261122-001");
    const std::string plain = render_plain(m);
    EXPECT_NE(plain.find("Components Affected"), std::string::npos);
    EXPECT_NE(plain.find("Current Actions"), std::string::npos);
}

TEST(Templates, EveryShippedTemplateRenders) {
    Templates t;
    EXPECT_TRUE(t.check().empty());
    for (const auto& [name, body] : embedded_templates()) {
        if (is_document_template(name))  // rendered to text by the PIR and report tests
            EXPECT_NO_THROW(t.render_document(name, sample(), DocumentFormat::html)) << name;
        else
            EXPECT_NO_THROW(t.render(name, sample())) << name;
    }
}

TEST(Templates, AtStartUpAnOverrideWithProblemsIsSetAsideNamedWithItsLine) {
    test::TempDir dir;
    dir.write("declaration.mustache", "{\"title\": \"{{id}}\",\n\"text\": \"{{titel}}\"}");
    dir.write("announcement.mustache", R"({"title": "custom {{id}}"})");
    Templates t(dir.path());
    EXPECT_EQ(t.source_of("declaration"), dir.file("declaration.mustache"));
    const auto problems = t.drop_broken_overrides();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find(dir.file("declaration.mustache") + ":2: unknown variable {{titel}}"),
              std::string::npos)
        << problems[0];
    EXPECT_EQ(t.source_of("declaration"), "(built in)");
    EXPECT_EQ(t.render("declaration", sample()).title, "🚨 INCIDENT DECLARED 🚨");
    EXPECT_EQ(t.render("announcement", sample()).title, "custom INC-20261122-001");  // kept
    EXPECT_TRUE(t.check().empty());
}

TEST(Templates, OverrideDirWinsAndBrokenOverrideFallsBack) {
    test::TempDir dir;
    dir.write("announcement.mustache", R"({"title": "custom {{id}}"})");
    dir.write("declaration.mustache", R"({"title": "{{#unclosed}}"})");
    Templates t(dir.path());
    EXPECT_EQ(t.render("announcement", sample()).title, "custom INC-20261122-001");
    EXPECT_EQ(t.source_of("announcement"), dir.file("announcement.mustache"));
    // A broken override is reported by check() and never silences the declaration.
    const auto problems = t.check();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("declaration.mustache"), std::string::npos);
    EXPECT_EQ(t.render("declaration", sample()).title, "🚨 INCIDENT DECLARED 🚨");
}

// Two ways to render: a template that is JSON by itself fills each string in place; one whose
// tags sit between the structure (a field only when there is an IC) renders whole and is parsed.
// Both give the same text for the same data, quotes, backslashes and newlines included.
TEST(Templates, TagsInsideStringsAndBetweenTheStructureRenderAlike) {
    test::TempDir dir;
    dir.write("announcement.mustache",
              R"({"title": "{{title}}", "fields": [{"label": "Sev", "value": "{{severity}}"}]})");
    dir.write("reminder.mustache",
              R"({"title": "{{title}}", "fields": [{{#ic}}{"label": "IC", "user": "{{ic}}"},)"
              R"({{/ic}}{"label": "Sev", "value": "{{severity}}"}]})");
    Templates t(dir.path());
    auto data = sample();
    data["title"] = "a \"quoted\" \\ title\nsecond line {{id}}";
    const Message in_place = t.render("announcement", data);
    const Message whole = t.render("reminder", data);
    EXPECT_EQ(in_place.title, data["title"].get<std::string>());  // tags in values stay text
    EXPECT_EQ(whole.title, in_place.title);
    ASSERT_EQ(whole.fields.size(), 2u);
    EXPECT_EQ(whole.fields[0].user, data["ic"].get<std::string>());
    EXPECT_EQ(whole.fields[1].value, in_place.fields[0].value);
    data["ic"] = "";
    EXPECT_EQ(t.render("reminder", data).fields.size(), 1u);
    EXPECT_TRUE(t.check().empty());
}

TEST(Templates, NotAMessageIsAnError) {
    test::TempDir dir;
    dir.write("resolution.mustache", R"(["not", "an", "object"])");
    Templates t(dir.path());
    ASSERT_EQ(t.check().size(), 1u);
    EXPECT_THROW(Templates().render("no_such_template", sample()), std::runtime_error);
}

TEST(Message, JsonRoundTripAndEmptyFieldsDropped) {
    Message m;
    m.title = "t";
    m.fields = {{"A", "1", "", ""}, {"B", "", "U1", ""}};
    m.sections = {{"H", "body"}};
    m.actions = {{"ack", "Ack", "INC-1", "primary"}};
    const Message back = message_from_json(to_json(m));
    EXPECT_EQ(back.fields.size(), 2u);
    EXPECT_EQ(back.fields[1].user, "U1");
    EXPECT_EQ(back.sections[0].second, "body");
    EXPECT_EQ(back.actions[0].style, "primary");
    const Message sparse =
        message_from_json({{"title", "x"}, {"fields", {{{"label", "Empty"}, {"value", ""}}}}});
    EXPECT_TRUE(sparse.fields.empty());
    EXPECT_THROW(message_from_json({{"fields", "nope"}}), std::runtime_error);
    // Invalid UTF-8 never makes JSON output throw.
    EXPECT_NO_THROW(dump_json(nlohmann::json{{"x", std::string("\xff\xfe")}}));
}

TEST(Text, SplitEtaFindsTheRunbooksEtaLine) {
    EXPECT_EQ(split_eta("failover done ETA: 20 minutes").text, "failover done");
    EXPECT_EQ(split_eta("failover done ETA: 20 minutes").eta, "20 minutes");
    EXPECT_EQ(split_eta("failover done, eta:15:30 UTC").eta, "15:30 UTC");
    EXPECT_EQ(split_eta("failover done, eta:15:30 UTC").text, "failover done");
    EXPECT_EQ(split_eta("beta: rollout paused").eta, "");  // not a word of its own
    EXPECT_EQ(split_eta("beta: rollout paused").text, "beta: rollout paused");
    EXPECT_EQ(split_eta("no estimate ETA:").text, "no estimate ETA:");  // empty: left as written
    EXPECT_EQ(split_eta("ETA: soon").text, "");
    EXPECT_EQ(split_eta("…still digging ETA: —").eta, "—");
}

// Templates are parsed once and kept: a second render must see only its own data, from any thread.
TEST(Templates, AParsedTemplateRendersEachCallsOwnData) {
    Templates t;
    auto data = sample();
    const Message first = t.render("declaration", data);
    data["title"] = "second";
    data.erase("ic");
    const Message second = t.render("declaration", data);
    EXPECT_EQ(field(first, "Summary")->value, "Checkout \"5xx\" \\ <b>\n{{x}}");
    EXPECT_EQ(field(second, "Summary")->value, "second");
    EXPECT_EQ(field(first, "IC")->user, "U0IC");
    EXPECT_EQ(field(second, "IC")->user, "");
    std::vector<std::thread> threads;
    std::atomic<int> right{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&t, &right, i] {
            auto d = sample();
            d["title"] = "t" + std::to_string(i);
            for (int k = 0; k < 50; ++k)
                right += field(t.render("declaration", d), "Summary")->value == d["title"];
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(right.load(), 200);
}
