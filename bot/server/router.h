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
    // 404 for an unknown path, 405 (with Allow) for a known path and another method.
    void handle(HttpRequest&& req, Responder respond) const;

  private:
    std::map<std::pair<std::string, std::string>, HttpHandler> routes_;
};

}  // namespace muster
