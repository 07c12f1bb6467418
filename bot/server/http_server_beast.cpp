// The Boost.Beast adapter behind bot/http_server.h: the server and its connections. Only this
// file and beast_parsing.cpp (the request limits, shared with the fuzzer) see Beast and Asio.
// Per connection: wait for a request's first byte (idle timeout), then read the whole request
// under one deadline (read timeout); refuse a declared body over the limit with 413 before reading
// it, honour Expect: 100-continue, read the body (limit enforced by the parser), hand the request
// to the handler, write the answer when the handler responds.
// Every part Beast parses has a limit: the header by header_limit, the body by body_limit, and
// what Beast must hold whole in the read buffer — the header, each chunk's header line with its
// extensions, the trailer fields — by the buffer's own maximum size. Input can therefore never
// reach Beast's 64 KiB-per-field exception; and should anything still throw inside a handler,
// the I/O threads catch it, which closes that one connection and keeps serving.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "bot/server/beast_parsing.h"
#include "bot/server/http_server.h"

namespace muster {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using namespace beast_parsing;

class BeastServer;
class Session;

// Outlives the server's mutex and the sessions themselves, so a session destroyed late (when the
// io_context is torn down) still has something valid to report to.
struct Tracker {
    std::mutex mu;
    std::condition_variable cv;
    int live = 0;
    std::list<std::weak_ptr<Session>> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, BeastServer& server, std::shared_ptr<Tracker> tracker);
    ~Session();
    void start();
    void close_if_idle();

  private:
    void read_request();
    void start_request();
    void on_header(beast::error_code ec);
    void read_body();
    void on_body(beast::error_code ec);
    void dispatch_request();
    void write(HttpResponse&& r, bool keep_alive);
    void finish(bool keep_alive);
    void fail_fast(int status);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;  // bounded: see buffer_limit()
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> response_;
    BeastServer& server_;
    std::shared_ptr<Tracker> tracker_;
    std::string remote_;
    bool busy_ = false;  // between a request's header and its answer
};

class BeastServer final : public HttpServer {
  public:
    BeastServer(const HttpServerOptions& o, HttpHandler h)
        : options_(o),
          handler_(std::move(h)),
          ioc_(std::max(1, o.threads)),
          acceptor_(net::make_strand(ioc_)),
          retry_timer_(acceptor_.get_executor()) {}

    ~BeastServer() override {
        ioc_.stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

    void start() override {
        beast::error_code ec;
        const auto address = net::ip::make_address(options_.host, ec);
        if (ec)
            throw std::runtime_error("server.listen: '" + options_.host + "' is not an IP address");
        const tcp::endpoint ep{address, options_.port};
        acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("cannot listen on " + options_.host + ":" +
                                     std::to_string(options_.port) + ": " + ec.message());
        port_ = acceptor_.local_endpoint().port();
        accept();
        // Requests waiting on the durable write have no I/O pending; without this guard the
        // io_context could run out of work while they wait, and their answers would never go out.
        work_.emplace(ioc_.get_executor());
        for (int i = 0; i < std::max(1, options_.threads); ++i)
            threads_.emplace_back([this] {
                pthread_setname_np(pthread_self(), "http");
                run();
            });
    }

    std::uint16_t port() const override { return port_; }

    void drain(std::int64_t timeout_ms) override {
        draining_ = true;
        net::post(acceptor_.get_executor(), [this] {
            beast::error_code ec;
            acceptor_.close(ec);
        });
        std::vector<std::shared_ptr<Session>> open;
        {
            std::lock_guard<std::mutex> lk(tracker_->mu);
            for (auto& w : tracker_->sessions)
                if (auto sp = w.lock()) open.push_back(sp);
        }
        for (auto& sp : open) sp->close_if_idle();
        open.clear();
        std::unique_lock<std::mutex> lk(tracker_->mu);
        if (!tracker_->cv.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                                   [this] { return tracker_->live == 0; }))
            spdlog::warn("http: drain timed out with {} connection(s) still open", tracker_->live);
        lk.unlock();
        work_.reset();
        ioc_.stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
    }

    const HttpServerOptions& options() const { return options_; }
    const HttpHandler& handler() const { return handler_; }
    bool draining() const { return draining_.load(); }

  private:
    // An exception that escapes a handler unwinds out of run(): the connection whose operation
    // threw loses its last reference and closes; this thread goes back to serving the others.
    void run() {
        for (;;) {
            try {
                ioc_.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("http: a connection failed and was closed: {}", e.what());
            } catch (...) {
                spdlog::error("http: a connection failed and was closed");
            }
        }
    }

    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (ec) {
                if (!acceptor_.is_open()) return;
                if (ec != net::error::operation_aborted && !draining_)
                    spdlog::warn("http: accept failed: {}", ec.message());
                // Out of file descriptors (or another resource): the pending connection is still
                // pending, so accepting again at once would spin. Wait a moment.
                retry_timer_.expires_after(std::chrono::milliseconds(100));
                retry_timer_.async_wait([this](beast::error_code) {
                    if (acceptor_.is_open()) accept();
                });
                return;
            }
            if (draining_) {
                beast::error_code ignored;
                s.close(ignored);
            } else if (live_connections() >= options_.max_connections) {
                refuse_busy(std::move(s));
            } else {
                auto session = std::make_shared<Session>(std::move(s), *this, tracker_);
                {
                    std::lock_guard<std::mutex> lk(tracker_->mu);
                    tracker_->sessions.remove_if(
                        [](const std::weak_ptr<Session>& w) { return w.expired(); });
                    tracker_->sessions.push_back(session);
                }
                session->start();
            }
            if (acceptor_.is_open()) accept();
        });
    }

    std::size_t live_connections() const {
        std::lock_guard<std::mutex> lk(tracker_->mu);
        return static_cast<std::size_t>(tracker_->live);
    }

    // Over the connection cap: a short 503 the client can act on, then close. Nothing is read.
    void refuse_busy(tcp::socket&& s) {
        auto sock = std::make_shared<tcp::socket>(std::move(s));
        static const std::string busy =
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\ntoo "
            "busy now\n";
        net::async_write(*sock, net::buffer(busy), [sock](beast::error_code, std::size_t) {
            beast::error_code ignored;
            sock->shutdown(tcp::socket::shutdown_both, ignored);
            sock->close(ignored);
        });
    }

    HttpServerOptions options_;
    HttpHandler handler_;
    net::io_context ioc_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_timer_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    std::atomic<bool> draining_{false};
    std::shared_ptr<Tracker> tracker_ = std::make_shared<Tracker>();
};

Session::Session(tcp::socket&& socket, BeastServer& server, std::shared_ptr<Tracker> tracker)
    : stream_(std::move(socket)),
      buffer_(buffer_limit(server.options())),
      server_(server),
      tracker_(std::move(tracker)) {
    {
        std::lock_guard<std::mutex> lk(tracker_->mu);
        ++tracker_->live;
    }
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

Session::~Session() {
    std::lock_guard<std::mutex> lk(tracker_->mu);
    --tracker_->live;
    tracker_->cv.notify_all();
}

void Session::start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void Session::close_if_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        if (!self->busy_) {
            beast::error_code ec;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
            self->stream_.close();
        }
    });
}

void Session::read_request() {
    if (server_.draining()) {
        // No new requests once draining: close instead of waiting for one.
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
        return;
    }
    parser_.emplace();
    configure(*parser_, server_.options());
    if (buffer_.size() > 0) return start_request();  // the next request is already here
    // Idle: wait for the first byte of the next request.
    stream_.expires_after(std::chrono::milliseconds(server_.options().idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, 4096)),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->buffer_.commit(n);
                                if (ec) {
                                    if (const int status = status_for(ec)) self->fail_fast(status);
                                    return;
                                }
                                self->start_request();
                            });
}

void Session::start_request() {
    // One deadline for the whole request from its first byte: header, 100-continue and body.
    stream_.expires_after(std::chrono::milliseconds(server_.options().read_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::fail_fast(int status) {
    busy_ = true;
    write(text_response(status, refusal_text(status, server_.options())), false);
}

void Session::on_header(beast::error_code ec) {
    if (ec) {
        // Beast checks a declared Content-Length against the body limit while parsing the header.
        if (const int status = status_for(ec)) fail_fast(status);
        return;
    }
    busy_ = true;
    auto& req = parser_->get();
    const auto len = parser_->content_length();
    if (len && *len > server_.options().max_body_bytes) return fail_fast(413);
    if (beast::iequals(req[http::field::expect], "100-continue")) {
        auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                       req.version());
        http::async_write(stream_, *cont,
                          [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                              if (wec) return;
                              self->read_body();
                          });
        return;
    }
    read_body();
}

void Session::read_body() {
    // Still under the deadline set at the request's first byte.
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(beast::error_code ec) {
    if (ec) {
        if (const int status = status_for(ec)) fail_fast(status);
        return;
    }
    dispatch_request();
}

void Session::dispatch_request() {
    auto msg = parser_->release();
    const bool keep_alive = msg.keep_alive();
    HttpRequest req = to_request(std::move(msg));
    req.remote = remote_;
    stream_.expires_never();  // the handler may take a durable write; Slack's clock is the limit
    auto self = shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Responder respond = [self, keep_alive, answered](HttpResponse r) {
        if (answered->exchange(true)) return;  // one answer per request
        net::post(self->stream_.get_executor(), [self, keep_alive, r = std::move(r)]() mutable {
            self->write(std::move(r), keep_alive);
        });
    };
    try {
        server_.handler()(std::move(req), respond);
    } catch (const std::exception& e) {
        spdlog::error("http: handler threw: {}", e.what());
        respond(text_response(500, "internal error\n"));
    }
}

void Session::write(HttpResponse&& r, bool keep_alive) {
    const bool keep = keep_alive && !server_.draining();
    response_ = std::make_shared<http::response<http::string_body>>();
    response_->version(11);
    response_->result(static_cast<unsigned>(r.status));
    response_->set(http::field::server, "muster");
    response_->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) response_->set(k, v);
    response_->body() = std::move(r.body);
    response_->keep_alive(keep);
    response_->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(server_.options().read_timeout_ms));
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
                          if (ec) return;
                          self->finish(keep);
                      });
}

void Session::finish(bool keep_alive) {
    busy_ = false;
    if (keep_alive && !server_.draining()) return read_request();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
}

}  // namespace

std::unique_ptr<HttpServer> make_beast_server(const HttpServerOptions& options,
                                              HttpHandler handler) {
    return std::make_unique<BeastServer>(options, std::move(handler));
}

}  // namespace muster
