// The cpprestsdk adapter for outbound HTTP (DESIGN §1, §6, §7). Every task is waited on with
// .get() from the caller's own thread (the outbox worker), so each exception is observed, and no
// pplx pool thread ever blocks.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <mutex>

#include "bot/message.h"
#include "bot/untrusted_json.h"
#include "integrations/slack/web_api.h"

namespace muster::slack {

namespace http = web::http;
namespace client = web::http::client;

namespace {

client::http_client_config config_for(std::chrono::milliseconds timeout) {
    client::http_client_config c;
    c.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    return c;
}

ApiResponse exchange(client::http_client& c, http::http_request req) {
    ApiResponse out;
    try {
        http::http_response resp = c.request(req).get();
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

class CppRestWebApi final : public WebApi {
  public:
    CppRestWebApi(const std::string& base, std::string token, std::chrono::milliseconds timeout)
        : client_(base, config_for(timeout)), token_(std::move(token)) {}

    ApiResponse call(const std::string& method, const nlohmann::json& args) override {
        http::http_request req(http::methods::POST);
        req.set_request_uri(method);
        req.headers().add("Authorization", "Bearer " + token_);
        req.set_body(dump_json(args), "application/json; charset=utf-8");
        return exchange(client_, std::move(req));
    }

  private:
    client::http_client client_;
    std::string token_;
};

}  // namespace

std::unique_ptr<WebApi> make_web_api(const std::string& base_url, const std::string& bot_token,
                                     std::chrono::milliseconds timeout) {
    std::string base = base_url;
    if (!base.empty() && base.back() != '/') base += '/';
    return std::make_unique<CppRestWebApi>(base, bot_token, timeout);
}

namespace {
class CppRestJsonPoster final : public JsonPoster {
  public:
    CppRestJsonPoster(const std::string& url, std::chrono::milliseconds timeout)
        : client_(url, config_for(timeout)) {}
    ApiResponse post(const nlohmann::json& body) override {
        http::http_request req(http::methods::POST);
        req.set_body(dump_json(body), "application/json; charset=utf-8");
        return exchange(client_, std::move(req));
    }

  private:
    client::http_client client_;
};
}  // namespace

std::unique_ptr<JsonPoster> make_json_poster(const std::string& url,
                                             std::chrono::milliseconds timeout) {
    return std::make_unique<CppRestJsonPoster>(url, timeout);
}

ApiResponse post_json(const std::string& url, const nlohmann::json& body,
                      std::chrono::milliseconds timeout) {
    try {
        client::http_client c(url, config_for(timeout));
        http::http_request req(http::methods::POST);
        req.set_body(dump_json(body), "application/json; charset=utf-8");
        return exchange(c, std::move(req));
    } catch (const std::exception& e) {
        ApiResponse out;
        out.transport_error = e.what();  // e.g. a malformed URL
        return out;
    }
}

void init_http_client_threads(int threads) {
    static std::once_flag once;
    std::call_once(once, [threads] { crossplat::threadpool::initialize_with_threads(threads); });
}

}  // namespace muster::slack
