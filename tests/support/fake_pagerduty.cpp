#include "tests/support/fake_pagerduty.h"

#include <algorithm>
#include <chrono>

#include "bot/domain/text.h"
#include "tests/support/wait.h"

namespace muster::test {

namespace {

// Empty when valid, else PagerDuty's kind of error message.
std::string validate(const nlohmann::json& e) {
    if (!e.is_object()) return "Event object is invalid";
    if (!e.contains("routing_key") || !e["routing_key"].is_string() ||
        e["routing_key"].get<std::string>().size() != 32)
        return "'routing_key' is invalid";
    const std::string action = e.value("event_action", "");
    if (action != "trigger" && action != "acknowledge" && action != "resolve")
        return "'event_action' is invalid";
    if (e.contains("dedup_key") &&
        (!e["dedup_key"].is_string() || utf8_length(e["dedup_key"].get<std::string>()) > 255))
        return "'dedup_key' is invalid";
    if (action != "trigger") return e.contains("dedup_key") ? "" : "'dedup_key' is missing";
    if (!e.contains("payload") || !e["payload"].is_object()) return "'payload' is missing";
    const auto& p = e["payload"];
    const std::string summary = p.value("summary", "");
    if (summary.empty() || utf8_length(summary) > 1024) return "'payload.summary' is invalid";
    if (p.value("source", "").empty()) return "'payload.source' is missing";
    const std::string sev = p.value("severity", "");
    if (sev != "critical" && sev != "error" && sev != "warning" && sev != "info")
        return "'payload.severity' is invalid";
    if (e.contains("links")) {
        if (!e["links"].is_array()) return "'links' is invalid";
        for (const auto& l : e["links"])
            if (!l.is_object() || !l.contains("href") || !l["href"].is_string() ||
                l["href"].get<std::string>().rfind("http", 0) != 0)
                return "'links.href' is invalid";
    }
    return "";
}
}  // namespace

FakePagerDuty::FakePagerDuty() {
    HttpServerOptions o;
    o.port = 0;
    server_ = make_beast_server(o, [this](HttpRequest&& r, Responder respond) {
        handle(std::move(r), std::move(respond));
    });
    server_->start();
    port_ = server_->port();
}

FakePagerDuty::~FakePagerDuty() {
    server_->drain(2000);
}

void FakePagerDuty::fail_next(int n, int status) {
    std::lock_guard<std::mutex> lk(mu_);
    fail_left_ = n;
    fail_status_ = status;
}

std::vector<nlohmann::json> FakePagerDuty::accepted() {
    std::lock_guard<std::mutex> lk(mu_);
    return accepted_;
}

int FakePagerDuty::rejected() {
    std::lock_guard<std::mutex> lk(mu_);
    return rejected_;
}

bool FakePagerDuty::wait_until(const std::function<bool(FakePagerDuty&)>& pred, int timeout_ms) {
    return wait_for_change(
        mu_, cv_, generation_, [&] { return pred(*this); }, timeout_ms);
}

void FakePagerDuty::rest_token(const std::string& token) {
    std::lock_guard<std::mutex> lk(mu_);
    rest_token_ = token;
}

void FakePagerDuty::add_incident(const std::string& id) {
    std::lock_guard<std::mutex> lk(mu_);
    incidents_.push_back(id);
}

std::vector<FakePagerDuty::RestUpdate> FakePagerDuty::rest_updates() {
    std::lock_guard<std::mutex> lk(mu_);
    return rest_updates_;
}

void FakePagerDuty::handle_rest(HttpRequest&& req, Responder& respond) {
    auto error = [&](int status, int code, const std::string& message) {
        respond(json_response(
            status, nlohmann::json{{"error", {{"message", message}, {"code", code}}}}.dump()));
    };
    if (rest_token_.empty() || req.header("authorization") != "Token token=" + rest_token_)
        return error(401, 2006, "Unauthorized");
    if (req.method != "PUT") return error(405, 2000, "Method not allowed");
    if (req.header("from").empty())
        return error(400, 2100, "You must include a From header with a valid user's email");
    const std::string id = req.path.substr(std::string("/incidents/").size());
    if (std::find(incidents_.begin(), incidents_.end(), id) == incidents_.end())
        return error(404, 2100, "Not Found");
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    const auto* inc = body.is_object() && body.contains("incident") ? &body["incident"] : nullptr;
    const std::string type =
        inc && (*inc)["type"].is_string() ? (*inc)["type"].get<std::string>() : "";
    const std::string status =
        inc && (*inc)["status"].is_string() ? (*inc)["status"].get<std::string>() : "";
    if ((type != "incident_reference" && type != "incident") ||
        (status != "acknowledged" && status != "resolved"))
        return error(400, 2001, "Invalid Input Provided");
    rest_updates_.push_back({id, status, req.header("from")});
    respond(
        json_response(200, nlohmann::json{{"incident", {{"id", id}, {"status", status}}}}.dump()));
}

void FakePagerDuty::handle(HttpRequest&& req, Responder respond) {
    std::lock_guard<std::mutex> lk(mu_);
    ++generation_;  // the state below changes under this same lock
    cv_.notify_all();
    if (req.path.rfind("/incidents/", 0) == 0) return handle_rest(std::move(req), respond);
    if (req.path != "/v2/enqueue" || req.method != "POST") {
        respond(text_response(404, "not found"));
        return;
    }
    if (fail_left_ > 0) {
        --fail_left_;
        respond(json_response(fail_status_, R"({"status":"unavailable"})"));
        return;
    }
    const auto e = nlohmann::json::parse(req.body, nullptr, false);
    const std::string error = validate(e);
    if (!error.empty()) {
        ++rejected_;
        respond(json_response(400, nlohmann::json{{"status", "invalid event"},
                                                  {"message", "Event object is invalid"},
                                                  {"errors", {error}}}
                                       .dump()));
        return;
    }
    accepted_.push_back(e);
    respond(json_response(202, nlohmann::json{{"status", "success"},
                                              {"message", "Event processed"},
                                              {"dedup_key", e.value("dedup_key", "generated")}}
                                   .dump()));
}

}  // namespace muster::test
