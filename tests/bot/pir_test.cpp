// The post-incident review, from a whole incident played on the fake clock over a real SQLite
// file: golden files for the three formats (MUSTER_UPDATE_GOLDEN=1 rewrites them after a wanted
// change; review the diff), the HTML through a real XML parser (xmllint) and a real browser
// (headless Chromium, screenshot checked for the band colours), and hostile text in every
// format.
#include "bot/messages/pir.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "bot/messages/documents.h"
#include "tests/support/core_world.h"

using namespace muster;

namespace {

const EpochMs kT0 = 1795339800000;  // 2026-11-22T09:30:00Z
const EpochMs kMin = 60'000;
const std::string kId = "INC-20261122-001";
const std::string kGolden = std::string(MUSTER_SOURCE_DIR) + "/tests/golden/";

Config pir_config() {
    Config c = default_config();
    c.chat.console = false;
    c.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
    c.contacts["eng-manager"].pagerduty_routing_key = std::string(32, 'b');
    return c;
}

// The fixed incident: declared, paged (nobody answers for 5 minutes, L1 again, then L2),
// acknowledged, worked through Identified and Monitoring with notes, resolved.
struct Played : test::CoreWorld {
    Played() : test::CoreWorld(pir_config(), kT0) {
        expect("declare P1 Checkout API 5xx");
        expect("role " + kId + " ic me");
        walk_to(kT0 + 14 * kMin);       // L1 paged, re-paged every 5 minutes (escalation policy)
        expect("page " + kId + " L2");  // the IC escalates by hand
        walk_to(kT0 + 16 * kMin);
        expect("ack " + kId, "U0BOB");
        walk_to(kT0 + 18 * kMin);
        expect("note " + kId + " retry storm | queue depth 40k", "U0BOB");
        expect("update " + kId + " identified bad deploy of payments-gw 2.14", "U0ALICE");
        walk_to(kT0 + 25 * kMin);
        expect("update " + kId + " monitoring rolled back to 2.13, error rate falling");
        expect("note " + kId + " went-well: rollback took 4 minutes", "U0BOB");
        expect("note " + kId + " went-wrong: the canary did not cover checkout", "U0BOB");
        expect("note " + kId + " lesson: canary traffic must include payments");
        expect("impact " + kId + " 12% of checkouts failed for 40 minutes (EU)");
        expect("rootcause " + kId + " connection pool of 5 in payments-gw 2.14");
        expect("action " + kId + " add checkout to the canary @U0BOB due:2026-11-29");
        walk_to(kT0 + 52 * kMin);
        expect("resolve " + kId + " error rate normal for 20 minutes");
        expect("action " + kId + " done 1", "U0BOB");
    }
    // Minute by minute, as the timer loop would see it.
    void walk_to(EpochMs t) {
        for (EpochMs at = clock.now_ms() + kMin; at < t; at += kMin) advance_to(at);
        advance_to(t);
    }
    void expect(const std::string& text, const std::string& user = "U0ALICE",
                const std::string& channel = "C0GENERAL") {
        const Reply r = run(text, user, channel);
        ASSERT_FALSE(r.error) << text << " → " << r.text;
    }
    Pir pir(const std::string& tz = "Europe/Berlin") {
        auto p = load_pir(*storage, kId, cfg, *TimeZone::find(tz), kT0 + 24 * 60 * kMin);
        EXPECT_TRUE(p.has_value());
        return *p;
    }
};

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void golden(const std::string& name, const std::string& actual) {
    const std::string path = kGolden + name;
    if (std::getenv("MUSTER_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    const std::string expected = read(path);
    ASSERT_FALSE(expected.empty()) << path << " is missing: run with MUSTER_UPDATE_GOLDEN=1";
    EXPECT_EQ(actual, expected) << "differs from " << path;
}

int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The cells of one Markdown table row: pipes that are not backslash-escaped, minus the ends.
int cells(const std::string& row) {
    int pipes = 0;
    for (std::size_t i = 0; i < row.size(); ++i)
        if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++pipes;
    return pipes - 1;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) out.push_back(line);
    return out;
}

}  // namespace

TEST(Pir, TheFixedIncidentInEveryFormatMatchesItsGoldenFile) {
    Played w;
    const Pir p = w.pir();
    // The numbers come from the explicit timestamps.
    EXPECT_EQ(p.time_to_acknowledge, 16 * kMin);
    EXPECT_EQ(p.time_to_mitigate, 25 * kMin);
    EXPECT_EQ(p.time_to_resolve, 52 * kMin);
    EXPECT_EQ(p.highest_level, 2);
    EXPECT_GE(p.pages_sent, 3);
    ASSERT_EQ(p.went_well.size(), 1u);
    EXPECT_EQ(p.went_well[0], "rollback took 4 minutes");
    ASSERT_EQ(p.lessons.size(), 1u);
    EpochMs last = 0;
    std::size_t seen = 0;
    p.each_event([&](const TimelineEvent& e) {
        EXPECT_LE(last, e.at);  // in time order
        last = e.at;
        ++seen;
    });
    EXPECT_EQ(seen, p.events);
    EXPECT_EQ(p.markers.front().kind, PirMarker::declared);

    const Templates& t = w.templates;
    golden("pir.md", pir_document(p, DocFormat::markdown, t).body);
    golden("pir.html", pir_document(p, DocFormat::html, t).body);
    golden("pir.json", pir_document(p, DocFormat::json, t).body);
    // The JSON keeps to its published schema (templates/pir.schema.json).
    w.dir.write("pir.json", pir_document(p, DocFormat::json, t).body);
    EXPECT_EQ(run("python3 " + std::string(MUSTER_SOURCE_DIR) + "/tests/tools/validate_json.py " +
                  MUSTER_SOURCE_DIR + "/templates/pir.schema.json " + w.dir.file("pir.json")),
              0);
}

TEST(Pir, MarkdownHasTheSeedLayoutAndLocalTimesWithOffsets) {
    Played w;
    const std::string md = pir_markdown(w.pir(), w.templates);
    std::size_t at = 0;
    for (const char* h :
         {"## Summary", "### People and roles", "### Response metrics", "## Timeline",
          "## What Went Well", "## What Went Wrong", "## Lessons Learned", "## Action Items"}) {
        const auto found = md.find(h, at);
        ASSERT_NE(found, std::string::npos) << h;
        at = found;
    }
    // 09:30 UTC is 10:30 in Berlin in November (CET, +01:00), from the tz database.
    EXPECT_NE(md.find("| Start | 2026-11-22 10:30 CET (+01:00) |"), std::string::npos) << md;
    EXPECT_NE(md.find("| Time to acknowledge | 16m 00s |"), std::string::npos);
    EXPECT_NE(md.find("| Highest escalation level reached | L2 |"), std::string::npos);
    // Field changes show old → new; the action item closed in chat says so.
    EXPECT_NE(md.find("Status Investigating → Identified"), std::string::npos);
    EXPECT_NE(md.find("| 1 | add checkout to the canary | @U0BOB | 2026-11-29 | done |"),
              std::string::npos)
        << md;
    // The same incident in New York: EST, −05:00.
    const std::string ny = pir_markdown(w.pir("America/New_York"), w.templates);
    EXPECT_NE(ny.find("2026-11-22 04:30 EST (-05:00)"), std::string::npos);
}

TEST(Pir, HtmlIsWellFormedAndTheBrowserDrawsTheStatusBands) {
    Played w;
    const std::string html = pir_html(w.pir(), w.templates);
    w.dir.write("pir.html", html);
    // A strict XML parser accepts it (so every HTML parser does).
    EXPECT_EQ(run("xmllint --noout " + w.dir.file("pir.html")), 0);
    for (Status s : {Status::investigating, Status::identified, Status::monitoring})
        EXPECT_NE(html.find(std::string("fill=\"") + status_colour(s) + "\""), std::string::npos);
    // Headless Chromium renders it; the screenshot is not blank and shows the bands' colours.
    const std::string png = w.dir.file("pir.png");
    ASSERT_EQ(run("chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                  "--window-size=1100,900 --screenshot=" +
                  png + " file://" + w.dir.file("pir.html") + " >/dev/null 2>&1"),
              0);
    std::string colours;
    for (Status s : {Status::investigating, Status::identified, Status::monitoring})
        colours += std::string(" '") + status_colour(s) + "'";
    const std::string out = w.dir.file("colours.txt");
    ASSERT_EQ(run("python3 " + std::string(MUSTER_SOURCE_DIR) + "/tests/tools/png_colours.py " +
                  png + colours + " > " + out),
              0);
    // "distinct=<n>" then "<colour> <pixels>" per colour asked about.
    const std::string counts = read(out);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(counts, m, std::regex("distinct=(\\d+)"))) << counts;
    EXPECT_GT(std::stoi(m[1]), 20) << "a blank page";
    for (Status s : {Status::investigating, Status::identified, Status::monitoring}) {
        ASSERT_TRUE(
            std::regex_search(counts, m, std::regex(std::string(status_colour(s)) + " (\\d+)")))
            << counts;
        EXPECT_GT(std::stoi(m[1]), 500) << status_colour(s) << " band missing\n" << counts;
    }
}

TEST(Pir, HostileTextCannotBreakAnyFormat) {
    test::CoreWorld w(pir_config(), kT0);
    const std::string rtl = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d (\xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d)";
    const std::string long_line(6000, 'x');
    ASSERT_FALSE(
        w.run("declare P2 <script>alert(1)</script> `rm -rf` **bold** [x](http://e.vil)").error);
    for (const std::string& note :
         {std::string("retry storm | queue depth 40k"), std::string("line one\nline two | two"),
          std::string("```\ncode fence\n```"), std::string("# not a heading"), rtl, long_line,
          std::string("</td></tr></table><img src=x onerror=alert(1)>"),
          std::string("]]> <!-- --> &amp; &lt;"),
          // A right-to-left override with no right-to-left letter, and a stray isolate end.
          std::string("ok \xE2\x80\xAE | reversed \xE2\x81\xA9 tail"),
          // 199 ASCII bytes then a two-byte letter: the picture's label must not cut it in half.
          std::string(199, 'n') + "\xC3\xA9"})
        ASSERT_FALSE(w.run("note " + kId + " " + note).error) << note;
    const auto p = load_pir(*w.storage, kId, w.cfg, TimeZone::utc(), kT0 + kMin);
    ASSERT_TRUE(p);

    // Markdown: every timeline row keeps its four cells; nothing formats or links.
    const std::string md = pir_markdown(*p, w.templates);
    const auto rows = lines_with(md, "| Note |");
    ASSERT_EQ(rows.size(), 10u) << md;
    for (const auto& r : rows) EXPECT_EQ(cells(r), 4) << r;
    for (const char* control : {"\xE2\x80\xAE", "\xE2\x81\xA9 tail"})
        EXPECT_EQ(md.find(control), std::string::npos) << "direction controls are removed";
    EXPECT_EQ(md.find("<script>"), std::string::npos);
    EXPECT_EQ(md.find("[x](http"), std::string::npos);
    EXPECT_EQ(md.find("\n# not a heading"), std::string::npos);
    EXPECT_EQ(md.find("\n```"), std::string::npos);
    EXPECT_NE(md.find("retry storm \\| queue depth 40k"), std::string::npos);
    EXPECT_NE(md.find("\xe2\x81\xa8" + std::string("\xd7\xa9")), std::string::npos)
        << "right-to-left text is isolated (FSI … PDI)";
    EXPECT_NE(md.find(long_line), std::string::npos) << "long lines are kept whole";

    // HTML: well-formed, no element the text brought with it.
    const std::string html = pir_html(*p, w.templates);
    w.dir.write("hostile.html", html);
    EXPECT_EQ(run("xmllint --noout " + w.dir.file("hostile.html")), 0);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("line one<br/>line two | two"), std::string::npos);

    // JSON: the text exactly as typed.
    const auto j = nlohmann::json::parse(pir_document(*p, DocFormat::json, w.templates).body);
    EXPECT_EQ(j["incident"]["title"],
              "<script>alert(1)</script> `rm -rf` **bold** [x](http://e.vil)");
    bool found = false;
    for (const auto& e : j["timeline"])
        found = found || e["details"] == "retry storm | queue depth 40k";
    EXPECT_TRUE(found);
}

TEST(Pir, AnOpenIncidentEndsNowAndHasPromptsForTheMeeting) {
    test::CoreWorld w(pir_config(), kT0);
    ASSERT_FALSE(w.run("declare P3 search is slow").error);
    const auto p = load_pir(*w.storage, kId, w.cfg, TimeZone::utc(), kT0 + 90 * kMin);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->end, kT0 + 90 * kMin);
    EXPECT_FALSE(p->time_to_resolve);
    const std::string md = pir_markdown(*p, w.templates);
    EXPECT_NE(md.find("still open at 2026-11-22 11:00 UTC (+00:00)"), std::string::npos) << md;
    EXPECT_NE(md.find("*For the review meeting:* what helped us"), std::string::npos);
    EXPECT_NE(md.find("| Time to resolve | — |"), std::string::npos);
    EXPECT_FALSE(load_pir(*w.storage, "INC-20261122-002", w.cfg, TimeZone::utc(), kT0));
}
