// What a JSON HTTP answer means, independent of the HTTP client library.
#include "integrations/http/json_http.h"

#include "bot/domain/untrusted_json.h"

namespace muster::http {

bool ApiResponse::ok() const {
    return http_status == 200 && json_bool(body, "ok", false);
}

std::string ApiResponse::error() const {
    if (http_status == 0) return "transport: " + transport_error;
    if (const std::string e = json_string(body, "error"); !e.empty()) return e;
    if (http_status != 200) return "http_" + std::to_string(http_status);
    return "unreadable_response";
}

}  // namespace muster::http
