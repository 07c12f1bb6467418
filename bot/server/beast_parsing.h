// The request-reading rules of the Beast adapter, shared by the server's connections
// (http_server_beast.cpp) and by parse_http_request (the fuzzers' entry): header, body and
// buffer limits, what each read error answers, and the conversion to Muster's HttpRequest.
// Private to bot/server: it includes Beast, so only the two adapter files include it.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <string>

#include "bot/server/http_server.h"

namespace muster::beast_parsing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// Bytes the read buffer may hold: the header limit plus room for a chunk line or trailer.
std::size_t header_limit(const HttpServerOptions& o);
std::size_t buffer_limit(const HttpServerOptions& o);
// Header and body limits on a parser, before it reads anything.
void configure(http::request_parser<http::string_body>& p, const HttpServerOptions& o);
// What a read error means for the client: a status to answer with (413, 431, 400), or 0 to close
// quietly (the client went away, or was too slow).
int status_for(const beast::error_code& ec);
// The body of a refusal with that status.
std::string refusal_text(int status, const HttpServerOptions& o);
// Header names lower-cased; the path is the target without its query.
HttpRequest to_request(http::request<http::string_body>&& msg);

}  // namespace muster::beast_parsing
