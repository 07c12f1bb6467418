#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"

using namespace muster::test;

TEST(CliE2E, Version) {
    const auto r = run_muster({"version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("muster ", 0), 0u);
}

TEST(CliE2E, CheckConfigNamesFileLineAndKey) {
    const auto ok = run_muster({"check-config", "--config",
                                std::string(MUSTER_SOURCE_DIR) + "/deploy/muster.example.yaml"});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("ok: "), std::string::npos);
    TempDir dir;
    dir.write("bad.yaml",
              "server:\n  listen: 127.0.0.1:8080\nstorage:\n  path: x.db\n  synchronus: full\n");
    const auto bad = run_muster({"check-config", "--config", dir.file("bad.yaml")});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find(dir.file("bad.yaml") + ":5: storage.synchronus: unknown key"),
              std::string::npos)
        << bad.err;
    // serve refuses the same file before touching anything
    const auto serve = run_muster({"serve", "--config", dir.file("bad.yaml")});
    EXPECT_EQ(serve.exit_code, 2);
    EXPECT_NE(serve.err.find(":5: storage.synchronus"), std::string::npos);
    const auto env = run_muster({"check-config"}, {{"MUSTER_CONFIG", dir.file("bad.yaml")}});
    EXPECT_EQ(env.exit_code, 1);
}

TEST(CliE2E, ReadCommandsFailCleanly) {
    TempDir dir;
    const auto none = run_muster({"incidents", "--db", dir.file("none.db")});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("no database at"), std::string::npos);

    MusterServer s;
    s.command("declare P2 a thing");
    const auto bad_id = run_muster({"export", "nope", "--db", s.db()});
    EXPECT_EQ(bad_id.exit_code, 2);
    EXPECT_NE(bad_id.err.find("not an incident id"), std::string::npos);
    const auto unknown = run_muster({"export", "INC-19990101-001", "--db", s.db()});
    EXPECT_EQ(unknown.exit_code, 1);
    const auto pdf = run_muster({"export", "INC-19990101-001", "--format", "pdf", "--db", s.db()});
    EXPECT_EQ(pdf.exit_code, 2);
    EXPECT_NE(pdf.err.find("use markdown, html, json or incident"), std::string::npos);
    const auto open = run_muster({"incidents", "--open", "--json", "--db", s.db()});
    ASSERT_EQ(open.exit_code, 0) << open.err;
    EXPECT_EQ(nlohmann::json::parse(open.out)["incidents"].size(), 1u);
    const auto out = dir.file("export.json");
    const std::string id = nlohmann::json::parse(open.out)["incidents"][0]["id"];
    EXPECT_EQ(run_muster({"export", id, "--out", out, "--db", s.db()}).exit_code, 0);
    const auto zone = run_muster({"export", id, "--tz", "Mars/Olympus", "--db", s.db()});
    EXPECT_EQ(zone.exit_code, 2);
    EXPECT_NE(zone.err.find("not in the tz database"), std::string::npos);
    const auto since = run_muster({"report", "--since", "last tuesday", "--db", s.db()});
    EXPECT_EQ(since.exit_code, 2);
    EXPECT_NE(since.err.find("--since 'last tuesday'"), std::string::npos);
    const auto cursor = run_muster({"incidents", "--after", "garbage", "--db", s.db()});
    EXPECT_EQ(cursor.exit_code, 2);
    EXPECT_NE(cursor.err.find("not a listing cursor"), std::string::npos);
    const auto usage = run_muster({"frobnicate"});
    EXPECT_EQ(usage.exit_code, 2);
}
