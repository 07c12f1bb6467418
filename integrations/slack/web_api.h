// The Slack Web API as Muster uses it: one blocking call per method, answered with what Slack
// said (HTTP status, Retry-After, the JSON body) or why there was no answer. The cpprestsdk
// implementation lives in web_api_cpprest.cpp; nothing else includes cpprest headers.
// Calls block the calling thread: they are made from the outbox worker, never from a request.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace muster::slack {

struct ApiResponse {
    int http_status = 0;          // 0: no HTTP answer (connection failed, timed out)
    std::string transport_error;  // why there was no answer
    std::optional<int> retry_after_s;
    nlohmann::json body;  // parsed JSON; null when the body was not JSON

    bool ok() const;
    // Slack's machine error code ("name_taken"), or "http_<status>" / "transport" otherwise.
    std::string error() const;
};

class WebApi {
  public:
    virtual ~WebApi() = default;
    virtual ApiResponse call(const std::string& method, const nlohmann::json& args) = 0;
};

// One long-lived client per base URL (e.g. https://slack.com/api).
std::unique_ptr<WebApi> make_web_api(const std::string& base_url, const std::string& bot_token,
                                     std::chrono::milliseconds timeout);

// A long-lived client that POSTs JSON to one fixed URL (PagerDuty's events_url): one connection
// pool for every page instead of a new client per event.
class JsonPoster {
  public:
    virtual ~JsonPoster() = default;
    virtual ApiResponse post(const nlohmann::json& body) = 0;
};
std::unique_ptr<JsonPoster> make_json_poster(const std::string& url,
                                             std::chrono::milliseconds timeout);

// POSTs JSON to an absolute URL (a slash command's response_url). Same answer shape.
ApiResponse post_json(const std::string& url, const nlohmann::json& body,
                      std::chrono::milliseconds timeout);

// cpprestsdk's thread pool must be sized once, before first use (DESIGN §6).
void init_http_client_threads(int threads);

}  // namespace muster::slack
