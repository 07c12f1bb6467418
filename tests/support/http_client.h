// A deliberately small blocking HTTP/1.1 client on raw sockets, so tests can also send what a
// well-behaved client never would (huge bodies, bad headers) to the real server.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace muster::test {

struct HttpResult {
    int status = 0;                              // 0: no answer (connection closed or timed out)
    std::map<std::string, std::string> headers;  // lowercased names
    std::string body;
};

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers = {},
                        const std::string& body = "", int timeout_ms = 10'000);

// Sends raw bytes and returns whatever answer comes back.
HttpResult http_raw(std::uint16_t port, const std::string& bytes, int timeout_ms = 10'000);

// Sends raw bytes and returns everything received until the server closes or the time is up.
std::string http_raw_all(std::uint16_t port, const std::string& bytes, int timeout_ms = 10'000);

}  // namespace muster::test
