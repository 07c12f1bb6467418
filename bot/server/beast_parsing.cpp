// The Beast adapter's request-reading rules (beast_parsing.h) and parse_http_request.
#include "bot/server/beast_parsing.h"

#include <algorithm>
#include <cctype>

namespace muster {

namespace beast_parsing {

// Room in the read buffer beyond the header limit: enough that an over-long header meets
// header_limit (431) first, small enough that trailers and chunk lines stay bounded.
constexpr std::size_t kBufferSlack = 4096;

std::size_t header_limit(const HttpServerOptions& o) {
    return std::min(o.max_header_bytes, kMaxHeaderBytes);
}
std::size_t buffer_limit(const HttpServerOptions& o) {
    return header_limit(o) + kBufferSlack;
}
void configure(http::request_parser<http::string_body>& p, const HttpServerOptions& o) {
    p.header_limit(static_cast<std::uint32_t>(header_limit(o)));
    p.body_limit(o.max_body_bytes);
}

int status_for(const beast::error_code& ec) {
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) return 431;
    if (ec == http::error::body_limit) return 413;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == net::error::broken_pipe)
        return 0;
    return 400;
}

std::string refusal_text(int status, const HttpServerOptions& o) {
    switch (status) {
        case 413:
            return "request body too large (limit " + std::to_string(o.max_body_bytes) +
                   " bytes)\n";
        case 431:
            return "request header or trailer fields too large\n";
        default:
            return "malformed request\n";
    }
}

HttpRequest to_request(http::request<http::string_body>&& msg) {
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.path = req.target.substr(0, req.target.find('?'));
    for (const auto& f : msg) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    return req;
}

}  // namespace beast_parsing

namespace {

using namespace beast_parsing;

// A SyncReadStream over fixed bytes, handing them out in small pieces as a socket might.
class BytesStream {
  public:
    explicit BytesStream(const std::string& bytes) : bytes_(bytes) {}
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
        if (pos_ >= bytes_.size()) {
            ec = net::error::eof;
            return 0;
        }
        ec = {};
        const std::size_t n = net::buffer_copy(
            buffers,
            net::buffer(bytes_.data() + pos_, std::min<std::size_t>(bytes_.size() - pos_, 1500)));
        pos_ += n;
        return n;
    }
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        beast::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) throw beast::system_error{ec};
        return n;
    }

  private:
    const std::string& bytes_;
    std::size_t pos_ = 0;
};

}  // namespace

ParsedHttpRequest parse_http_request(const std::string& bytes, const HttpServerOptions& options) {
    ParsedHttpRequest out;
    BytesStream stream(bytes);
    beast::flat_buffer buffer(buffer_limit(options));
    http::request_parser<http::string_body> parser;
    configure(parser, options);
    beast::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (!ec) {
        const auto len = parser.content_length();
        if (len && *len > options.max_body_bytes) {
            out.status = 413;
            return out;
        }
        http::read(stream, buffer, parser, ec);
    }
    if (ec) {
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == http::error::partial_message)
            return out;  // the bytes ended first: the server would wait for more
        out.status = status_for(ec);
        return out;
    }
    out.request = to_request(parser.release());
    out.complete = true;
    return out;
}

}  // namespace muster
