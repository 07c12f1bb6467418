// What a Slack (or any JSON HTTP) answer means, independent of the HTTP client library.
#include "integrations/slack/web_api.h"

namespace muster::slack {

bool ApiResponse::ok() const {
    return http_status == 200 && body.is_object() && body.value("ok", false) == true;
}

std::string ApiResponse::error() const {
    if (http_status == 0) return "transport: " + transport_error;
    if (body.is_object() && body.contains("error") && body["error"].is_string())
        return body["error"].get<std::string>();
    if (http_status != 200) return "http_" + std::to_string(http_status);
    return "unreadable_response";
}

}  // namespace muster::slack
