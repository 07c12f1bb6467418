// The inbound HTTP server behind a small interface, so the Beast adapter can be swapped and the
// routes can be tested without a socket. Handlers answer through a Responder, possibly later and
// from another thread (after the durable write commits).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace muster {

struct HttpRequest {
    std::string method;                          // "POST"
    std::string target;                          // "/slack/commands?x=y"
    std::string path;                            // "/slack/commands"
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;
    std::string remote;

    const std::string& header(const std::string& lower_name) const;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

HttpResponse text_response(int status, std::string body);
HttpResponse json_response(int status, std::string body);

using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Responder)>;

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: pick a free port
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_header_bytes = 16 << 10;
    std::int64_t read_timeout_ms = 10'000;
    std::int64_t idle_timeout_ms = 60'000;
    int threads = 2;
};

class HttpServer {
  public:
    virtual ~HttpServer() = default;
    // Binds and starts serving; throws std::runtime_error with a clear reason if it cannot bind.
    virtual void start() = 0;
    virtual std::uint16_t port() const = 0;
    // Graceful drain: stop accepting, let in-flight requests finish (answered with
    // Connection: close), close idle connections; waits up to timeout_ms, then stops.
    virtual void drain(std::int64_t timeout_ms) = 0;
};

std::unique_ptr<HttpServer> make_beast_server(const HttpServerOptions& options,
                                              HttpHandler handler);

}  // namespace muster
