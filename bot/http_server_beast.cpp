// The Boost.Beast adapter behind bot/http_server.h. Only this file sees Beast and Asio.
// Per connection: read the header (idle timeout), refuse a declared body over the limit with 413
// before reading it, honour Expect: 100-continue, read the body (read timeout, limit enforced by
// the parser), hand the request to the handler, write the answer when the handler responds.
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
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

#include "bot/http_server.h"

namespace muster {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

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
    void read_header();
    void on_header(beast::error_code ec);
    void read_body();
    void on_body(beast::error_code ec);
    void dispatch_request();
    void write(HttpResponse&& r, bool keep_alive);
    void finish(bool keep_alive);
    void fail_fast(int status, const std::string& body);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
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
          acceptor_(net::make_strand(ioc_)) {}

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
            threads_.emplace_back([this] { ioc_.run(); });
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
    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (ec) {
                if (ec != net::error::operation_aborted && !draining_)
                    spdlog::warn("http: accept failed: {}", ec.message());
                if (!acceptor_.is_open()) return;
            } else if (draining_) {
                beast::error_code ignored;
                s.close(ignored);
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

    HttpServerOptions options_;
    HttpHandler handler_;
    net::io_context ioc_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    tcp::acceptor acceptor_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    std::atomic<bool> draining_{false};
    std::shared_ptr<Tracker> tracker_ = std::make_shared<Tracker>();
};

Session::Session(tcp::socket&& socket, BeastServer& server, std::shared_ptr<Tracker> tracker)
    : stream_(std::move(socket)), server_(server), tracker_(std::move(tracker)) {
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
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
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

void Session::read_header() {
    if (server_.draining()) {
        // No new requests once draining: close instead of waiting for one.
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
        return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
    parser_->body_limit(server_.options().max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(server_.options().idle_timeout_ms));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::fail_fast(int status, const std::string& body) {
    busy_ = true;
    write(text_response(status, body), false);
}

void Session::on_header(beast::error_code ec) {
    if (ec) {
        if (ec == http::error::header_limit) return fail_fast(431, "request header too large\n");
        // Beast checks a declared Content-Length against the limit while parsing the header.
        if (ec == http::error::body_limit)
            return fail_fast(413, "request body too large (limit " +
                                      std::to_string(server_.options().max_body_bytes) +
                                      " bytes)\n");
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset ||
            ec == net::error::eof)
            return;
        return fail_fast(400, "malformed request\n");
    }
    busy_ = true;
    auto& req = parser_->get();
    const auto len = parser_->content_length();
    if (len && *len > server_.options().max_body_bytes)
        return fail_fast(413, "request body too large (limit " +
                                  std::to_string(server_.options().max_body_bytes) + " bytes)\n");
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
    stream_.expires_after(std::chrono::milliseconds(server_.options().read_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(beast::error_code ec) {
    if (ec == http::error::body_limit)
        return fail_fast(413, "request body too large (limit " +
                                  std::to_string(server_.options().max_body_bytes) + " bytes)\n");
    if (ec) {
        if (ec == beast::error::timeout || ec == net::error::operation_aborted ||
            ec == http::error::end_of_stream || ec == net::error::connection_reset)
            return;
        return fail_fast(400, "malformed request\n");
    }
    dispatch_request();
}

void Session::dispatch_request() {
    auto msg = parser_->release();
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
    req.remote = remote_;
    const bool keep_alive = msg.keep_alive();
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
    if (keep_alive && !server_.draining()) return read_header();
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
