#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

namespace muster::test {

namespace {

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Parses one response from buf if it is complete.
bool parse_response(const std::string& buf, HttpResult& r) {
    const auto head_end = buf.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const std::string head = buf.substr(0, head_end);
    r.headers.clear();
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    if (status_line.size() < 12) return false;
    r.status = std::atoi(status_line.c_str() + 9);
    while (pos != std::string::npos && pos < head.size()) {
        const std::size_t next = head.find("\r\n", pos + 2);
        const std::string line =
            head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            r.headers[name] = value;
        }
        pos = next;
    }
    if (r.status == 100) return false;  // interim answer: keep reading
    const auto cl = r.headers.find("content-length");
    const std::size_t len = cl == r.headers.end() ? 0 : std::stoul(cl->second);
    if (buf.size() < head_end + 4 + len) return false;
    r.body = buf.substr(head_end + 4, len);
    return true;
}

HttpResult exchange(int fd, const std::string& bytes, int timeout_ms) {
    HttpResult r;
    std::size_t sent = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string buf;
    char chunk[65536];
    while (true) {
        const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - std::chrono::steady_clock::now())
                                              .count());
        if (left <= 0) break;
        pollfd p{fd, static_cast<short>(POLLIN | (sent < bytes.size() ? POLLOUT : 0)), 0};
        if (::poll(&p, 1, left) <= 0) break;
        if (p.revents & POLLIN) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) break;
            buf.append(chunk, static_cast<std::size_t>(n));
            // Skip a "100 Continue" interim response.
            if (buf.rfind("HTTP/1.1 100", 0) == 0) {
                const auto e = buf.find("\r\n\r\n");
                if (e != std::string::npos) buf.erase(0, e + 4);
            }
            if (parse_response(buf, r)) return r;
        } else if (p.revents & POLLOUT) {
            const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                sent = bytes.size();  // the server closed its side; read what it said
                continue;
            }
            sent += static_cast<std::size_t>(n);
        } else if (p.revents & (POLLERR | POLLHUP)) {
            break;
        }
    }
    if (!parse_response(buf, r)) r.status = 0;
    return r;
}

}  // namespace

HttpResult http_raw(std::uint16_t port, const std::string& bytes, int timeout_ms) {
    const int fd = connect_to(port);
    if (fd < 0) return {};
    HttpResult r = exchange(fd, bytes, timeout_ms);
    ::close(fd);
    return r;
}

std::string http_raw_all(std::uint16_t port, const std::string& bytes, int timeout_ms) {
    const int fd = connect_to(port);
    if (fd < 0) return "";
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string out;
    char chunk[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - std::chrono::steady_clock::now())
                                              .count());
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, left) <= 0) break;
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        out.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, int timeout_ms) {
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    bool has_length = false;
    for (const auto& [k, v] : headers) {
        req += k + ": " + v + "\r\n";
        std::string lk = k;
        std::transform(lk.begin(), lk.end(), lk.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lk == "content-length" || lk == "transfer-encoding") has_length = true;
    }
    if (!has_length && (!body.empty() || method == "POST"))
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    return http_raw(port, req, timeout_ms);
}

}  // namespace muster::test
