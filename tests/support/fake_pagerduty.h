// A local PagerDuty Events API v2 (PROTOCOLS §6) on real HTTP at 127.0.0.1: it validates every
// event as PagerDuty does (routing_key of 32 characters, event_action, dedup_key ≤ 255, a trigger's
// summary ≤ 1024 / source / severity) and answers 202, or 400 "invalid event"; faults on demand.
// Also the REST API's `PUT /incidents/{id}` (two-way sync): `Authorization: Token token=<token>`
// (401 otherwise), a `From:` header (400 without, as PagerDuty requires for writes), a body
// `{"incident":{"type":"incident_reference","status":"acknowledged|resolved"}}` (400
// otherwise), an incident it knows (404 otherwise).
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/server/http_server.h"

namespace muster::test {

class FakePagerDuty {
  public:
    FakePagerDuty();
    ~FakePagerDuty();
    std::string events_url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/v2/enqueue";
    }
    std::string api_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    void fail_next(int n, int status);
    // The REST API: the token it accepts, and the incidents it knows.
    void rest_token(const std::string& token);
    void add_incident(const std::string& id);
    struct RestUpdate {
        std::string id, status, from;
    };
    std::vector<RestUpdate> rest_updates();
    std::vector<nlohmann::json> accepted();  // valid events, in arrival order
    int rejected();
    bool wait_until(const std::function<bool(FakePagerDuty&)>& pred, int timeout_ms);

  private:
    void handle(HttpRequest&& req, Responder respond);
    void handle_rest(HttpRequest&& req, Responder& respond);
    std::unique_ptr<HttpServer> server_;
    std::uint16_t port_ = 0;
    std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t generation_ = 0;  // bumped with every change, for wait_until
    std::vector<nlohmann::json> accepted_;
    int rejected_ = 0;
    int fail_left_ = 0, fail_status_ = 500;
    std::string rest_token_;
    std::vector<std::string> incidents_;
    std::vector<RestUpdate> rest_updates_;
};

}  // namespace muster::test
