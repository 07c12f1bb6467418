#include "integrations/slack/web_api.h"

namespace muster::slack {

namespace {
class HttpWebApi final : public WebApi {
  public:
    explicit HttpWebApi(std::unique_ptr<http::JsonClient> client) : client_(std::move(client)) {}
    ApiResponse call(const std::string& method, const nlohmann::json& args) override {
        return client_->post(method, args);
    }

  private:
    std::unique_ptr<http::JsonClient> client_;
};
}  // namespace

std::unique_ptr<WebApi> make_web_api(const std::string& base_url, const std::string& bot_token,
                                     std::chrono::milliseconds timeout) {
    std::string base = base_url;
    if (!base.empty() && base.back() != '/') base += '/';
    return std::make_unique<HttpWebApi>(
        http::make_json_client(base, {{"Authorization", "Bearer " + bot_token}}, timeout));
}

}  // namespace muster::slack
