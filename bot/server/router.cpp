#include "bot/server/router.h"

#include <spdlog/spdlog.h>

namespace muster {

const std::string& HttpRequest::header(const std::string& lower_name) const {
    static const std::string empty;
    const auto it = headers.find(lower_name);
    return it == headers.end() ? empty : it->second;
}

HttpResponse text_response(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpResponse json_response(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

void Router::add(const std::string& method, const std::string& path, HttpHandler handler) {
    routes_[{method, path}] = std::move(handler);
}

void Router::handle(HttpRequest&& req, Responder respond) const {
    const auto it = routes_.find({req.method, req.path});
    if (it != routes_.end()) {
        try {
            it->second(std::move(req), respond);
        } catch (const std::exception& e) {
            // A bug in a route must cost one request, never the process.
            spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
            respond(text_response(500, "internal error\n"));
        }
        return;
    }
    std::string allow;
    for (const auto& [key, h] : routes_)
        if (key.second == req.path) allow += (allow.empty() ? "" : ", ") + key.first;
    if (!allow.empty()) {
        HttpResponse r = text_response(405, "method not allowed\n");
        r.headers.emplace_back("Allow", allow);
        respond(std::move(r));
        return;
    }
    respond(text_response(404, "not found\n"));
}

}  // namespace muster
