// Method + path dispatch for the HTTP server, with the plain answers every route shares.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "bot/server/http_server.h"

namespace muster {

class Router {
  public:
    void add(const std::string& method, const std::string& path, HttpHandler handler);
    // Every path that starts with `prefix` and goes on (e.g. "/webhooks/heartbeat/" + a name);
    // an exact route wins, then the longest prefix.
    void add_prefix(const std::string& method, const std::string& prefix, HttpHandler handler);
    // 404 for an unknown path, 405 (with Allow) for a known path and another method.
    void handle(HttpRequest&& req, Responder respond) const;

  private:
    const HttpHandler* find(const std::string& method, const std::string& path) const;
    std::map<std::pair<std::string, std::string>, HttpHandler> routes_;
    std::map<std::pair<std::string, std::string>, HttpHandler> prefixes_;
};

}  // namespace muster
