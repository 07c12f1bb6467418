// Shared pieces of the end-to-end tests: a running muster with a temp database and helpers that
// sign requests exactly as Slack does.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "integrations/slack/form.h"
#include "integrations/slack/signature.h"
#include "storage/database.h"
#include "storage/sqlite_storage.h"
#include "tests/support/http_client.h"
#include "tests/support/muster_process.h"
#include "tests/support/temp_dir.h"

namespace muster::test {

inline long long unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Slack gives every invocation its own trigger_id; a body sent twice is one invocation twice.
inline std::string next_trigger_id() {
    static std::atomic<long long> n{0};
    return std::to_string(unix_now()) + "." + std::to_string(++n) + ".e2e";
}

inline std::string command_body(const std::string& text, const std::string& channel = "C0GENERAL",
                                const std::string& user = "U0E2E",
                                const std::string& trigger_id = next_trigger_id(),
                                const std::string& response_url = "http://127.0.0.1/none") {
    return "token=x&team_id=T0E2E&team_domain=e2e&channel_id=" + url_encode(channel) +
           "&channel_name=" + url_encode(channel) + "&user_id=" + url_encode(user) +
           "&user_name=e2e&command=%2Fincident&text=" + url_encode(text) +
           "&response_url=" + url_encode(response_url) + "&trigger_id=" + url_encode(trigger_id) +
           "&api_app_id=A0E2E";
}

struct MusterServer {
    TempDir dir;
    std::string secret = "e2e-signing-secret-value";
    std::unique_ptr<MusterProcess> proc;
    std::uint16_t port = 0;
    std::string response_url = "http://127.0.0.1/none";  // where Slack would take follow-ups

    explicit MusterServer(const std::string& extra_yaml = "") {
        dir.write("muster.yaml", "templates: {dir: " + dir.path() + "}\n" + extra_yaml);
        start();
    }
    std::string db() const { return dir.file("m.db"); }
    void start() {
        proc = std::make_unique<MusterProcess>(
            std::vector<std::string>{"serve", "--config", dir.file("muster.yaml"), "--listen",
                                     "127.0.0.1:0", "--db", db()},
            std::map<std::string, std::string>{{"SLACK_SIGNING_SECRET", secret}});
        port = proc->wait_listening();
    }
    HttpResult post_signed(const std::string& body, long long ts) const {
        return http_request(port, "POST", "/slack/commands",
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"X-Slack-Request-Timestamp", std::to_string(ts)},
                             {"X-Slack-Signature", slack::sign(secret, std::to_string(ts), body)}},
                            body);
    }
    HttpResult post_signed_to(const std::string& path, const std::string& body,
                              long long ts) const {
        return http_request(port, "POST", path,
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"X-Slack-Request-Timestamp", std::to_string(ts)},
                             {"X-Slack-Signature", slack::sign(secret, std::to_string(ts), body)}},
                            body);
    }
    HttpResult command(const std::string& text, const std::string& channel = "C0GENERAL",
                       const std::string& user = "U0E2E") const {
        return post_signed(command_body(text, channel, user, next_trigger_id(), response_url),
                           unix_now());
    }
    int rows_where(const std::string& table, const std::string& where) const {
        auto conn = open_database({db(), "full", 5000, true});
        return conn->execAndGet("SELECT COUNT(*) FROM " + table + " WHERE " + where).getInt();
    }
    // How many rows a table has, read through a separate read-only connection.
    int rows(const std::string& table) const {
        auto conn = open_database({db(), "full", 5000, true});
        return conn->execAndGet("SELECT COUNT(*) FROM " + table).getInt();
    }
};

inline nlohmann::json json_of(const HttpResult& r) {
    return nlohmann::json::parse(r.body);
}

// The storage port over a test's database, read-only (while the server runs or after).
inline std::unique_ptr<Storage> read_storage(const std::string& path) {
    StorageOptions o;
    o.path = path;
    o.read_only = true;
    return open_sqlite_storage(o);
}

// Resident memory of a process in MiB, from /proc/<pid>/status.
inline double rss_mib_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

// A request signed as Slack signs it, to any Slack path, with any body and content type.
inline HttpResult slack_signed(const MusterServer& s, const std::string& path,
                               const std::string& body,
                               const std::string& content_type = "application/json") {
    const std::string ts = std::to_string(unix_now());
    return http_request(s.port, "POST", path,
                        {{"Content-Type", content_type},
                         {"X-Slack-Request-Timestamp", ts},
                         {"X-Slack-Signature", slack::sign(s.secret, ts, body)}},
                        body);
}

}  // namespace muster::test
