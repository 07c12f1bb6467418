// A local Slack Web API for tests, on real HTTP at 127.0.0.1, that behaves as PROTOCOLS.md §4
// documents: bearer auth, channel-name rules and their error codes, name_taken, unknown
// channels and users, Block Kit limits, per-channel posting rate with 429 + Retry-After, and
// faults on demand (5xx, 429, answers that hang past the client's timeout).
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bot/server/http_server.h"

namespace muster::test {

class FakeSlack {
  public:
    struct Call {
        std::string method;
        nlohmann::json args;
        int status = 200;   // what the fake answered
        std::string error;  // Slack error code, when any
    };
    struct Posted {
        std::string ts;
        nlohmann::json args;  // text, blocks, … as last set (chat.update replaces)
        bool pinned = false;
        int updates = 0;
    };
    struct Channel {
        std::string id, name;
        bool is_private = false;
        std::string topic;
        std::set<std::string> members;
        std::vector<Posted> messages;
    };

    explicit FakeSlack(std::string token = "xoxb-test-token");
    ~FakeSlack();

    std::uint16_t port() const { return port_; }
    std::string api_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api"; }
    std::string response_url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/respond";
    }

    // Faults, applied to the next n calls (of any method, or only `method` when given).
    void fail_next(int n, int http_status, const std::string& method = "");
    void ratelimit_next(int n, int retry_after_s, const std::string& method = "");
    void hang_next(int n, int ms, const std::string& method = "");
    void clear_faults() {
        std::lock_guard<std::mutex> lk(mu_);
        faults_.clear();
    }
    // Per-channel chat.postMessage limit: more than `per_second` in one second → 429.
    void limit_posts_per_second(int per_second) {
        std::lock_guard<std::mutex> lk(mu_);
        posts_per_second_ = per_second;
    }

    void add_channel(const std::string& id, const std::string& name);
    void add_user(const std::string& id);

    std::vector<Call> calls();
    std::vector<Call> calls(const std::string& method);
    std::optional<Channel> channel_by_name(const std::string& name);
    std::optional<Channel> channel(const std::string& id);
    std::vector<nlohmann::json> responses();  // bodies POSTed to response_url
    // Waits until pred(*this) holds (checked after every call), up to timeout_ms.
    bool wait_until(const std::function<bool(FakeSlack&)>& pred, int timeout_ms = 10'000);

  private:
    struct Fault {
        enum Kind { fail, ratelimit, hang } kind;
        int value;
        std::string method;
        int left;
    };
    void handle(HttpRequest&& req, Responder respond);
    HttpResponse dispatch(const std::string& method, const nlohmann::json& args,
                          std::string& error);
    static HttpResponse slack_error(const std::string& code,
                                    nlohmann::json extra = nlohmann::json::object());
    Channel* find(const std::string& id_or_name);

    std::string token_;
    std::unique_ptr<HttpServer> server_;
    std::uint16_t port_ = 0;
    std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t generation_ = 0;  // bumped with every change, for wait_until
    std::vector<Call> calls_;
    std::vector<nlohmann::json> responses_;
    std::deque<Fault> faults_;
    std::map<std::string, Channel> channels_;  // by id
    std::set<std::string> users_;
    int next_channel_ = 1;
    long long next_ts_ = 0;  // microseconds; starts at the wall clock, like Slack's ts
    int posts_per_second_ = 0;
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> post_times_;
    std::vector<std::thread> delayed_;
    bool stopping_ = false;
};

}  // namespace muster::test
