// Outbound JSON over HTTP, as the integrations use it (Slack Web API, PagerDuty Events v2 and
// REST, a response_url): one blocking call, answered with what the server said (status,
// Retry-After, the JSON body) or why there was no answer. The cpprestsdk implementation lives in
// cpprest_adapter.cpp; nothing else includes cpprest headers. Calls block the calling thread:
// they are made from an outbox lane, never from a request.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace muster::http {

struct ApiResponse {
    int http_status = 0;          // 0: no HTTP answer (connection failed, timed out)
    std::string transport_error;  // why there was no answer
    std::optional<int> retry_after_s;
    nlohmann::json body;  // parsed JSON (depth-limited); null when the body was not JSON

    // Slack's convention: HTTP 200 with {"ok": true}.
    bool ok() const;
    // The body's "error" code ("name_taken"), or "http_<status>" / "transport: …" otherwise.
    std::string error() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A long-lived client (one connection pool) for one base URL: POSTs JSON to base + path.
class JsonClient {
  public:
    virtual ~JsonClient() = default;
    virtual ApiResponse post(const std::string& path, const nlohmann::json& body) = 0;
    // Another method (PUT for PagerDuty's REST API), same answer shape.
    virtual ApiResponse send(const std::string& method, const std::string& path,
                             const nlohmann::json& body) = 0;
};
std::unique_ptr<JsonClient> make_json_client(const std::string& base_url, Headers headers,
                                             std::chrono::milliseconds timeout);

// POSTs JSON to an absolute URL once (a slash command's response_url). Same answer shape.
ApiResponse post_json(const std::string& url, const nlohmann::json& body,
                      std::chrono::milliseconds timeout);

// cpprestsdk's thread pool must be sized once, before first use (DESIGN §6).
void init_client_threads(int threads);

}  // namespace muster::http
