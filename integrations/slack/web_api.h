// The Slack Web API as Muster uses it (PROTOCOLS §4): one blocking call per method
// (https://slack.com/api/METHOD, JSON body, bearer token), answered with what Slack said.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "integrations/http/json_http.h"

namespace muster::slack {

using http::ApiResponse;

class WebApi {
  public:
    virtual ~WebApi() = default;
    virtual ApiResponse call(const std::string& method, const nlohmann::json& args) = 0;
};

// One long-lived client per base URL (e.g. https://slack.com/api).
std::unique_ptr<WebApi> make_web_api(const std::string& base_url, const std::string& bot_token,
                                     std::chrono::milliseconds timeout);

}  // namespace muster::slack
