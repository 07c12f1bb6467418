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

void Router::add_prefix(const std::string& method, const std::string& prefix, HttpHandler handler) {
    prefixes_[{method, prefix}] = std::move(handler);
}

const HttpHandler* Router::find(const std::string& method, const std::string& path) const {
    if (const auto it = routes_.find({method, path}); it != routes_.end()) return &it->second;
    const HttpHandler* found = nullptr;
    std::size_t longest = 0;
    for (const auto& [key, h] : prefixes_)
        if (key.first == method && path.size() > key.second.size() &&
            path.compare(0, key.second.size(), key.second) == 0 && key.second.size() > longest) {
            found = &h;
            longest = key.second.size();
        }
    return found;
}

void Router::handle(HttpRequest&& req, Responder respond) const {
    if (const HttpHandler* h = find(req.method, req.path)) {
        try {
            (*h)(std::move(req), respond);
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
    for (const auto& [key, h] : prefixes_)
        if (req.path.size() > key.second.size() &&
            req.path.compare(0, key.second.size(), key.second) == 0)
            allow += (allow.empty() ? "" : ", ") + key.first;
    if (!allow.empty()) {
        HttpResponse r = text_response(405, "method not allowed\n");
        r.headers.emplace_back("Allow", allow);
        respond(std::move(r));
        return;
    }
    respond(text_response(404, "not found\n"));
}

}  // namespace muster
