#include "integrations/webhooks/webhooks.h"

#include "bot/domain/text.h"
#include "bot/server/rejections.h"
#include "integrations/hmac.h"

namespace muster::webhooks {

HttpResponse answer(AlertOutcome outcome) {
    switch (outcome) {
        case AlertOutcome::recorded:
        case AlertOutcome::duplicate:
            return json_response(202, R"({"status":"ok"})");
        case AlertOutcome::busy:
        case AlertOutcome::failed:
            break;
    }
    HttpResponse r = text_response(503, "busy, nothing was recorded: retry\n");
    r.headers.emplace_back("Retry-After", "5");
    return r;
}

HttpResponse unauthorized(const HttpRequest& req, const std::string& why) {
    rejections().note(req.path, req.remote, why);
    return text_response(401, why + "\n");
}

HttpResponse bad_request(const std::string& why) {
    return text_response(400, why + "\n");
}

bool bearer_ok(const HttpRequest& req, const std::string& token) {
    if (token.empty()) return false;
    const std::string& h = req.header("authorization");
    const std::string prefix = "Bearer ";
    if (h.size() <= prefix.size()) return false;
    std::string scheme = h.substr(0, prefix.size());
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer ") return false;
    return constant_time_equals(h.substr(prefix.size()), token);
}

std::string one_line(const std::string& s) {
    return truncate_chars(sanitize_text(s, false), 2000);
}

std::string several_lines(const std::string& s) {
    return truncate_chars(sanitize_text(s, true), 20000);
}

Labels read_labels(const nlohmann::json* object) {
    Labels out;
    if (!object || !object->is_object()) return out;
    for (auto it = object->begin(); it != object->end() && out.size() < 64; ++it) {
        if (!it->is_string()) continue;
        out[truncate_chars(sanitize_text(it.key(), false), 200)] =
            truncate_chars(sanitize_text(it->get<std::string>(), false), 500);
    }
    return out;
}

}  // namespace muster::webhooks
