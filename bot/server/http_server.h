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
    // Request line + header fields, and separately the trailer fields of a chunked body and each
    // chunk's header line. At most kMaxHeaderBytes: Beast cannot hold a field of 64 KiB.
    std::size_t max_header_bytes = 16 << 10;
    // From the first byte of a request to its last: a client that trickles its header or body
    // is cut off after this long (slowloris), however steadily it sends.
    std::int64_t read_timeout_ms = 10'000;
    std::int64_t idle_timeout_ms = 60'000;  // keep-alive wait for the next request's first byte
    int threads = 2;
    // Open connections at most; one more is answered 503 with Retry-After and closed.
    std::size_t max_connections = 1024;
};

// Beast keeps a header field's offsets in 16 bits: a field of 64 KiB or more would throw.
constexpr std::size_t kMaxHeaderBytes = 60 * 1024;

// What reading one request from these bytes gives, with exactly the server's limits (for the
// fuzz target and tests): the request, or the status the server would answer (400, 413, 431), or
// 0 when the bytes end before the request does.
struct ParsedHttpRequest {
    int status = 0;  // 0 with a request: complete; otherwise the refusal
    HttpRequest request;
    bool complete = false;
};
ParsedHttpRequest parse_http_request(const std::string& bytes, const HttpServerOptions& options);

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
