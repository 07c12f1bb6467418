// The cpprestsdk adapter for outbound HTTP (DESIGN §1, §6, §7). Every task is waited on with
// .get() from the caller's own thread (an outbox lane), so each exception is observed, and no
// pplx pool thread ever blocks.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <mutex>

#include "bot/domain/untrusted_json.h"
#include "integrations/http/json_http.h"

namespace muster::http {

namespace rest = web::http;
namespace client = web::http::client;

namespace {

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

client::http_client_config config_for(std::chrono::milliseconds timeout) {
    client::http_client_config c;
    c.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    return c;
}

ApiResponse exchange(client::http_client& c, rest::http_request req) {
    ApiResponse out;
    try {
        rest::http_response resp = c.request(req).get();
        out.http_status = resp.status_code();
        const auto ra = resp.headers().find("Retry-After");
        if (ra != resp.headers().end()) {
            try {
                out.retry_after_s = std::stoi(ra->second);
            } catch (const std::exception&) {
            }
        }
        const std::string text = resp.extract_utf8string(true).get();
        // An answer from the network is untrusted input like any request.
        auto parsed = parse_untrusted_json(text);
        out.body = parsed ? std::move(*parsed) : nlohmann::json(nullptr);
    } catch (const std::exception& e) {
        out.http_status = 0;
        out.transport_error = e.what();
    }
    return out;
}

class CppRestJsonClient final : public JsonClient {
  public:
    CppRestJsonClient(const std::string& base, Headers headers, std::chrono::milliseconds timeout)
        : client_(base, config_for(timeout)), headers_(std::move(headers)) {}

    ApiResponse post(const std::string& path, const nlohmann::json& body) override {
        return send("POST", path, body);
    }

    ApiResponse send(const std::string& method, const std::string& path,
                     const nlohmann::json& body) override {
        rest::http_request req(method);
        if (!path.empty()) req.set_request_uri(path);
        for (const auto& [k, v] : headers_) req.headers().add(k, v);
        req.set_body(dump(body), "application/json; charset=utf-8");
        return exchange(client_, std::move(req));
    }

  private:
    client::http_client client_;
    Headers headers_;
};

}  // namespace

std::unique_ptr<JsonClient> make_json_client(const std::string& base_url, Headers headers,
                                             std::chrono::milliseconds timeout) {
    return std::make_unique<CppRestJsonClient>(base_url, std::move(headers), timeout);
}

ApiResponse post_json(const std::string& url, const nlohmann::json& body,
                      std::chrono::milliseconds timeout) {
    try {
        client::http_client c(url, config_for(timeout));
        rest::http_request req(rest::methods::POST);
        req.set_body(dump(body), "application/json; charset=utf-8");
        return exchange(c, std::move(req));
    } catch (const std::exception& e) {
        ApiResponse out;
        out.transport_error = e.what();  // e.g. a malformed URL
        return out;
    }
}

void init_client_threads(int threads) {
    static std::once_flag once;
    std::call_once(once, [threads] { crossplat::threadpool::initialize_with_threads(threads); });
}

}  // namespace muster::http
