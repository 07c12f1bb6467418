// The read API and the review from outside: the real muster, real HTTP, a bearer token; the
// listing paged with a cursor and nothing left out; signed links from chat; the CLI's export and
// report; a template override that changes the declaration and one that names an unknown
// variable.
#include <gtest/gtest.h>

#include <set>

#include "tests/e2e/e2e_support.h"

using namespace muster;
using namespace muster::test;

namespace {

const std::string kToken = "api-token-for-e2e-0123456789";

HttpResult get(const MusterServer& s, const std::string& target,
               const std::string& token = kToken) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return http_request(s.port, "GET", target, h);
}

std::string declare(const MusterServer& s, const std::string& text) {
    const auto r = s.command(text);
    EXPECT_EQ(r.status, 200);
    const std::string body = r.body;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(body, m, std::regex("INC-\\d{8}-\\d{3}"))) << body;
    return m.empty() ? "" : m[0].str();
}

}  // namespace

TEST(ApiE2E, EveryRouteNeedsTheBearerTokenAndUnknownIdsAre404) {
    MusterServer s("server: {api_token: " + kToken + "}\n");
    const std::string id = declare(s, "declare P2 cart errors");
    for (const std::string& path :
         {std::string("/api/v1/incidents"), "/api/v1/incidents/" + id,
          "/api/v1/incidents/" + id + "/timeline", "/api/v1/incidents/" + id + "/pir",
          std::string("/api/v1/reports")}) {
        EXPECT_EQ(get(s, path, "").status, 401) << path;
        EXPECT_EQ(get(s, path, "wrong-token").status, 401) << path;
        EXPECT_EQ(get(s, path).status, 200) << path;
    }
    EXPECT_EQ(get(s, "/api/v1/incidents/INC-19990101-001").status, 404);
    EXPECT_EQ(get(s, "/api/v1/incidents/INC-19990101-001/pir").status, 404);
    EXPECT_EQ(get(s, "/api/v1/incidents/not-an-id").status, 404);
    EXPECT_EQ(get(s, "/api/v1/incidents/" + id + "/secrets").status, 404);
    EXPECT_EQ(get(s, "/api/v1/incidents/" + id + "/pir?format=pdf").status, 400);
    EXPECT_EQ(get(s, "/api/v1/incidents/" + id + "/pir?tz=Mars/Olympus").status, 400);
    EXPECT_EQ(get(s, "/api/v1/incidents?limit=0").status, 400);
    EXPECT_EQ(get(s, "/api/v1/incidents?cursor=garbage").status, 400);
    EXPECT_EQ(get(s, "/api/v1/reports?since=yesterday-ish").status, 400);
    EXPECT_EQ(get(s, "/api/v1/reports?since=9999999999d").status, 400);  // before 1970
    EXPECT_EQ(get(s, "/api/v1/reports?until=99999-01-01T00:00:00Z").status, 400);
    // A signature on a path no link is for: 401, not a server error.
    EXPECT_EQ(get(s, "/api/v1/incidents?signature=ab&expires=1", "").status, 401);
    EXPECT_EQ(get(s, "/api/v1/incidents/?signature=ab&expires=1", "").status, 404);  // no route
    // Nothing is written by reading.
    EXPECT_EQ(s.rows("incidents"), 1);
}

TEST(ApiE2E, WithoutATokenConfiguredTheApiIsClosed) {
    MusterServer s;
    declare(s, "declare P3 anything");
    const auto r = get(s, "/api/v1/incidents", "");
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.body.find("set server.api_token"), std::string::npos);
    EXPECT_EQ(get(s, "/api/v1/incidents", "").status, 401);
}

TEST(ApiE2E, TheListingPagesWithACursorAndLeavesNothingOut) {
    MusterServer s("server: {api_token: " + kToken + "}\n");
    std::set<std::string> declared;
    for (int i = 0; i < 7; ++i)
        declared.insert(declare(s, "declare P3 thing " + std::to_string(i)));
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        const auto r =
            get(s, "/api/v1/incidents?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto j = json_of(r);
        EXPECT_EQ(j["format"], "muster.incidents.v1");
        EXPECT_LE(j["incidents"].size(), 3u);
        for (const auto& i : j["incidents"]) EXPECT_TRUE(seen.insert(i["id"]).second) << i["id"];
        cursor = j["next"].is_null() ? "" : j["next"].get<std::string>();
        ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen, declared);

    // The CLI pages the same way, says on stderr that there is more, and --all has everything.
    const auto first = run_muster({"incidents", "--limit", "5", "--json", "--db", s.db()});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto j = nlohmann::json::parse(first.out);
    EXPECT_EQ(j["incidents"].size(), 5u);
    ASSERT_TRUE(j["next"].is_string());
    const auto rest =
        run_muster({"incidents", "--limit", "5", "--json", "--after", j["next"], "--db", s.db()});
    EXPECT_EQ(nlohmann::json::parse(rest.out)["incidents"].size(), 2u);
    const auto table = run_muster({"incidents", "--limit", "5", "--db", s.db()});
    EXPECT_NE(table.err.find("… more: muster incidents --limit 5 --after "), std::string::npos);
    const auto all = run_muster({"incidents", "--all", "--limit", "2", "--json", "--db", s.db()});
    EXPECT_EQ(nlohmann::json::parse(all.out)["incidents"].size(), 7u);
}

TEST(ApiE2E, TheReviewInEveryFormatFromTheApiTheCliAndChat) {
    MusterServer s("server: {api_token: " + kToken + "}\n");
    const std::string id = declare(s, "declare P1 checkout 5xx");
    ASSERT_EQ(s.command("note " + id + " retry storm | queue depth 40k").status, 200);
    // As Slack sends it: & < > arrive as entities (PROTOCOLS §1), decoded once at intake.
    ASSERT_EQ(s.command("note " + id + " cart &amp; checkout &lt;both&gt;").status, 200);
    ASSERT_EQ(s.command("resolve " + id + " rolled back").status, 200);

    const auto md = get(s, "/api/v1/incidents/" + id + "/pir?format=markdown&tz=Europe/Berlin");
    ASSERT_EQ(md.status, 200);
    EXPECT_EQ(md.headers.at("content-type"), "text/markdown; charset=utf-8");
    EXPECT_NE(md.body.find("# Post-Incident Review: " + id), std::string::npos);
    EXPECT_NE(md.body.find("retry storm \\| queue depth 40k"), std::string::npos);
    const auto html = get(s, "/api/v1/incidents/" + id + "/pir?format=html");
    EXPECT_EQ(html.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(html.body.find("<svg"), std::string::npos);
    const auto js = get(s, "/api/v1/incidents/" + id + "/pir?format=json");
    EXPECT_EQ(json_of(js)["format"], "muster.pir.v1");
    const auto timeline = json_of(get(s, "/api/v1/incidents/" + id + "/timeline"));
    EXPECT_GE(timeline["timeline"].size(), 3u);
    const auto one = json_of(get(s, "/api/v1/incidents/" + id));
    EXPECT_EQ(one["id"], id);
    EXPECT_EQ(one["action_items"][0]["text"], "Post-incident review");  // P1: reviewed in 48 h
    const auto report = json_of(get(s, "/api/v1/reports?since=7d"));
    EXPECT_EQ(report["format"], "muster.report.v1");
    EXPECT_EQ(report["incidents"], 1);

    // The CLI writes the same documents.
    TempDir out;
    for (const char* f : {"markdown", "html", "json"}) {
        const auto r = run_muster({"export", id, "--format", f, "--tz", "Europe/Berlin", "--out",
                                   out.file(std::string("pir.") + f), "--db", s.db()});
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    EXPECT_EQ(std::system(("xmllint --noout " + out.file("pir.html")).c_str()), 0);
    const auto cli_md = run_muster({"export", id, "--tz", "Europe/Berlin", "--db", s.db()});
    EXPECT_NE(cli_md.out.find("# Post-Incident Review: " + id), std::string::npos);
    const auto rep = run_muster({"report", "--since", "7d", "--format", "json", "--db", s.db()});
    ASSERT_EQ(rep.exit_code, 0) << rep.err;
    EXPECT_EQ(nlohmann::json::parse(rep.out)["incidents"], 1);

    // In chat, without a public address: the document itself (cut to fit a chat answer).
    const auto chat = json_of(s.command("export " + id));
    EXPECT_EQ(chat["response_type"], "ephemeral");
    const std::string chat_text = chat["text"];
    EXPECT_NE(chat_text.find("Post-Incident Review: " + id), std::string::npos);
    // Escaped once, for Slack's mrkdwn: not first for Markdown and then again.
    EXPECT_NE(chat_text.find("cart &amp; checkout &lt;both&gt;"), std::string::npos) << chat_text;
    EXPECT_EQ(chat_text.find("&amp;amp;"), std::string::npos);
    EXPECT_EQ(chat_text.find("\\|"), std::string::npos);
    const auto chat_html = json_of(s.command("export " + id + " html"));
    EXPECT_NE(chat_html["text"].get<std::string>().find("muster export " + id + " --format html"),
              std::string::npos);
}

TEST(ApiE2E, ChatHandsOutASignedLinkThatOpensOnlyThatDocumentForADay) {
    MusterServer s("server: {api_token: " + kToken +
                   ", public_url: \"https://muster.example.com/\"}\n");
    const std::string id = declare(s, "declare P2 cart errors");
    const std::string other = declare(s, "declare P2 other thing");
    const auto chat = json_of(s.command("export " + id + " html"));
    const std::string text = chat["text"];
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(text, m, std::regex("https://muster\\.example\\.com(/api/v1/\\S+)")))
        << text;
    std::string link = m[1].str();
    // Slack's mrkdwn escaping turns & into &amp; in the answer; a browser would undo it.
    for (std::size_t p; (p = link.find("&amp;")) != std::string::npos;) link.replace(p, 5, "&");
    const auto opened = get(s, link, "");
    ASSERT_EQ(opened.status, 200) << link << " " << opened.body;
    EXPECT_NE(opened.body.find("<svg"), std::string::npos);
    // Only that incident, that format, unaltered, unexpired.
    std::string other_link = link;
    other_link.replace(other_link.find(id), id.size(), other);
    EXPECT_EQ(get(s, other_link, "").status, 401);
    std::string json_link = link;
    json_link.replace(json_link.find("format=html"), 11, "format=json");
    EXPECT_EQ(get(s, json_link, "").status, 401);
    std::string tampered = link;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    EXPECT_EQ(get(s, tampered, "").status, 401);
    std::regex expires("expires=(\\d+)");
    ASSERT_TRUE(std::regex_search(link, m, expires));
    EXPECT_NEAR(std::stoll(m[1]) - unix_now(), 24 * 3600, 60);
    const std::string expired = std::regex_replace(link, expires, "expires=1000000000");
    EXPECT_EQ(get(s, expired, "").status, 401);
    // A link is no key to the listing or the reports.
    EXPECT_EQ(get(s, "/api/v1/reports?signature=" + link.substr(link.rfind('=') + 1), "").status,
              401);
}

TEST(ApiE2E, AnOperatorRewordsTheDeclarationWithOneFileAndATypoIsNamedWithItsLine) {
    MusterServer s;
    s.dir.write("declaration.mustache",
                R"({"title": "🔥 {{severity}} declared: {{title}}", "text": "IC {{ic}}"})");
    s.proc.reset();
    s.start();
    ASSERT_EQ(s.command("declare P2 cart errors").status, 200);
    ASSERT_TRUE(s.proc->wait_for_stdout("🔥 P2 declared: cart errors"));

    // An unknown variable: check-config names the file and the line, and fails.
    s.dir.write("announcement.mustache", "{\"title\": \"{{id}}\",\n \"text\": \"{{severty}}\"}");
    const auto check = run_muster({"check-config", "--config", s.dir.file("muster.yaml")});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(
        check.err.find(s.dir.file("announcement.mustache") + ":2: unknown variable {{severty}}"),
        std::string::npos)
        << check.err;
    // A syntax error likewise.
    s.dir.write("announcement.mustache", "{\"title\": \"{{id}}\",\n\n \"text\": \"{{#open}}\"}");
    const auto syntax = run_muster({"check-config", "--config", s.dir.file("muster.yaml")});
    EXPECT_EQ(syntax.exit_code, 1);
    EXPECT_NE(syntax.err.find(s.dir.file("announcement.mustache") + ":"), std::string::npos)
        << syntax.err;
    EXPECT_NE(syntax.err.find("open"), std::string::npos) << syntax.err;
}
