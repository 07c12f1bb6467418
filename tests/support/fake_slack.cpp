#include "tests/support/fake_slack.h"

#include <chrono>

#include <regex>
#include "bot/domain/text.h"
#include "tests/support/wait.h"

#include "bot/messages/message.h"

namespace muster::test {

namespace {

std::string text_of(const nlohmann::json& obj) {
    if (!obj.is_object() || !obj.contains("text") || !obj["text"].is_string()) return "";
    return obj["text"].get<std::string>();
}

// Block Kit limits from python-slack-sdk's blocks.py, as PROTOCOLS.md §4 lists them.
std::string check_blocks(const nlohmann::json& blocks) {
    if (!blocks.is_array()) return "invalid_blocks";
    if (blocks.size() > 50) return "msg_blocks_too_long";
    for (const auto& b : blocks) {
        if (!b.is_object() || !b.contains("type")) return "invalid_blocks";
        const std::string type = b["type"];
        if (b.contains("block_id") && utf8_length(b["block_id"].get<std::string>()) > 255)
            return "invalid_blocks";
        if (type == "header") {
            if (!b.contains("text") || b["text"].value("type", "") != "plain_text" ||
                utf8_length(text_of(b["text"])) > 150 || text_of(b["text"]).empty())
                return "invalid_blocks";
        } else if (type == "section") {
            if (!b.contains("text") && !b.contains("fields")) return "invalid_blocks";
            if (b.contains("text") &&
                (utf8_length(text_of(b["text"])) > 3000 || text_of(b["text"]).empty()))
                return "invalid_blocks";
            if (b.contains("fields")) {
                if (!b["fields"].is_array() || b["fields"].size() > 10) return "invalid_blocks";
                for (const auto& f : b["fields"])
                    if (utf8_length(text_of(f)) > 2000 || text_of(f).empty())
                        return "invalid_blocks";
            }
        } else if (type == "actions") {
            if (!b.contains("elements") || b["elements"].size() > 25 || b["elements"].empty())
                return "invalid_blocks";
            for (const auto& e : b["elements"]) {
                if (e.value("type", "") != "button") return "invalid_blocks";
                if (utf8_length(e.value("action_id", "")) > 255 ||
                    utf8_length(text_of(e["text"])) > 75)
                    return "invalid_blocks";
            }
        } else if (type == "context") {
            if (!b.contains("elements") || b["elements"].size() > 10) return "invalid_blocks";
        } else if (type != "divider") {
            return "invalid_blocks";
        }
    }
    return "";
}

}  // namespace

FakeSlack::FakeSlack(std::string token) : token_(std::move(token)) {
    next_ts_ = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    HttpServerOptions o;
    o.port = 0;
    o.threads = 2;
    server_ = make_beast_server(o, [this](HttpRequest&& req, Responder respond) {
        handle(std::move(req), std::move(respond));
    });
    server_->start();
    port_ = server_->port();
    for (const auto& [id, name] :
         std::vector<std::pair<std::string, std::string>>{{"C0ANNOUNCE", "incidents"},
                                                          {"C0CRIT", "alerts-critical"},
                                                          {"C0WARN", "alerts-warning"},
                                                          {"C0INFO", "alerts-info"}})
        add_channel(id, name);
}

FakeSlack::~FakeSlack() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : delayed_) t.join();
    server_->drain(2000);
}

void FakeSlack::fail_next(int n, int status, const std::string& method) {
    std::lock_guard<std::mutex> lk(mu_);
    faults_.push_back({Fault::fail, status, method, n});
}
void FakeSlack::ratelimit_next(int n, int retry_after_s, const std::string& method) {
    std::lock_guard<std::mutex> lk(mu_);
    faults_.push_back({Fault::ratelimit, retry_after_s, method, n});
}
void FakeSlack::hang_next(int n, int ms, const std::string& method) {
    std::lock_guard<std::mutex> lk(mu_);
    faults_.push_back({Fault::hang, ms, method, n});
}

void FakeSlack::add_channel(const std::string& id, const std::string& name) {
    std::lock_guard<std::mutex> lk(mu_);
    channels_[id] = Channel{id, name, false, "", {}, {}};
}

void FakeSlack::add_user(const std::string& id) {
    std::lock_guard<std::mutex> lk(mu_);
    users_.insert(id);
}

std::vector<FakeSlack::Call> FakeSlack::calls() {
    std::lock_guard<std::mutex> lk(mu_);
    return calls_;
}

std::vector<FakeSlack::Call> FakeSlack::calls(const std::string& method) {
    std::vector<Call> out;
    for (auto& c : calls())
        if (c.method == method) out.push_back(c);
    return out;
}

std::optional<FakeSlack::Channel> FakeSlack::channel_by_name(const std::string& name) {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto& [id, c] : channels_)
        if (c.name == name) return c;
    return std::nullopt;
}

std::optional<FakeSlack::Channel> FakeSlack::channel(const std::string& id) {
    std::lock_guard<std::mutex> lk(mu_);
    const auto it = channels_.find(id);
    if (it == channels_.end()) return std::nullopt;
    return it->second;
}

std::vector<nlohmann::json> FakeSlack::responses() {
    std::lock_guard<std::mutex> lk(mu_);
    return responses_;
}

bool FakeSlack::wait_until(const std::function<bool(FakeSlack&)>& pred, int timeout_ms) {
    return wait_for_change(
        mu_, cv_, generation_, [&] { return pred(*this); }, timeout_ms);
}

HttpResponse FakeSlack::slack_error(const std::string& code, nlohmann::json extra) {
    extra["ok"] = false;
    extra["error"] = code;
    return json_response(200, extra.dump());
}

FakeSlack::Channel* FakeSlack::find(const std::string& id_or_name) {
    const auto it = channels_.find(id_or_name);
    if (it != channels_.end()) return &it->second;
    for (auto& [id, c] : channels_)
        if ("#" + c.name == id_or_name || c.name == id_or_name) return &c;
    return nullptr;
}

void FakeSlack::handle(HttpRequest&& req, Responder respond) {
    if (req.path == "/respond") {
        std::lock_guard<std::mutex> lk(mu_);
        responses_.push_back(nlohmann::json::parse(req.body, nullptr, false));
        ++generation_;
        cv_.notify_all();
        respond(text_response(200, "ok"));
        return;
    }
    const std::string prefix = "/api/";
    if (req.path.rfind(prefix, 0) != 0) {
        respond(text_response(404, "not found"));
        return;
    }
    const std::string method = req.path.substr(prefix.size());
    std::unique_lock<std::mutex> lk(mu_);
    Call call{method, nlohmann::json::parse(req.body, nullptr, false), 200, ""};
    // Faults come first: a real outage does not care whether the request was valid.
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (!it->method.empty() && it->method != method) continue;
        const Fault f = *it;
        if (--it->left <= 0) faults_.erase(it);
        if (f.kind == Fault::fail) {
            call.status = f.value;
            calls_.push_back(call);
            ++generation_;
            cv_.notify_all();
            respond(text_response(f.value, "upstream trouble"));
            return;
        }
        if (f.kind == Fault::ratelimit) {
            call.status = 429;
            call.error = "ratelimited";
            calls_.push_back(call);
            ++generation_;
            cv_.notify_all();
            HttpResponse r = json_response(429, R"({"ok":false,"error":"ratelimited"})");
            r.headers.emplace_back("Retry-After", std::to_string(f.value));
            respond(r);
            return;
        }
        // hang: answer (with a 500) only after the client has given up.
        call.status = 0;
        call.error = "hang";
        calls_.push_back(call);
        ++generation_;
        cv_.notify_all();
        delayed_.emplace_back([this, respond, ms = f.value] {
            std::unique_lock<std::mutex> l(mu_);
            cv_.wait_for(l, std::chrono::milliseconds(ms), [this] { return stopping_; });
            l.unlock();
            respond(text_response(500, "too late"));
        });
        return;
    }
    HttpResponse resp;
    const std::string auth = req.header("authorization");
    if (auth.empty()) {
        call.error = "not_authed";
        resp = slack_error("not_authed");
    } else if (auth != "Bearer " + token_) {
        call.error = "invalid_auth";
        resp = slack_error("invalid_auth");
    } else if (req.header("content-type").rfind("application/json", 0) != 0 ||
               !call.args.is_object()) {
        call.error = "invalid_json";
        resp = slack_error("invalid_json");
    } else {
        resp = dispatch(method, call.args, call.error);
    }
    call.status = resp.status;
    calls_.push_back(call);
    ++generation_;
    cv_.notify_all();
    lk.unlock();
    respond(resp);
}

HttpResponse FakeSlack::dispatch(const std::string& method, const nlohmann::json& a,
                                 std::string& error) {
    auto fail = [&](const std::string& code, nlohmann::json extra = nlohmann::json::object()) {
        error = code;
        return slack_error(code, extra);
    };
    auto str = [&](const char* k) {
        return a.contains(k) && a[k].is_string() ? a[k].get<std::string>() : std::string();
    };
    if (method == "conversations.create") {
        const std::string name = str("name");
        static const std::regex allowed("[a-z0-9_-]+");
        static const std::regex punctuation_only("[_-]+");
        if (name.empty()) return fail("invalid_name_required");
        if (utf8_length(name) > 80) return fail("invalid_name_maxlength");
        if (std::regex_match(name, punctuation_only)) return fail("invalid_name_punctuation");
        if (!std::regex_match(name, allowed)) return fail("invalid_name_specials");
        for (const auto& [id, c] : channels_)
            if (c.name == name) return fail("name_taken");
        const std::string id = "C0INC" + std::to_string(next_channel_++);
        channels_[id] = Channel{id, name, a.value("is_private", false), "", {}, {}};
        return json_response(
            200, nlohmann::json{{"ok", true}, {"channel", {{"id", id}, {"name", name}}}}.dump());
    }
    if (method == "conversations.invite") {
        Channel* c = find(str("channel"));
        if (!c) return fail("channel_not_found");
        const std::string users = str("users");
        if (users.empty()) return fail("no_user");
        nlohmann::json errors = nlohmann::json::array();
        std::size_t start = 0;
        while (start <= users.size()) {
            auto comma = users.find(',', start);
            const std::string u =
                users.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!users_.count(u))
                errors.push_back({{"user", u}, {"ok", false}, {"error", "user_not_found"}});
            else if (c->members.count(u))
                errors.push_back({{"user", u}, {"ok", false}, {"error", "already_in_channel"}});
            else
                c->members.insert(u);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (!errors.empty()) return fail(errors[0]["error"], {{"errors", errors}});
        return json_response(200,
                             nlohmann::json{{"ok", true}, {"channel", {{"id", c->id}}}}.dump());
    }
    if (method == "conversations.setTopic") {
        Channel* c = find(str("channel"));
        if (!c) return fail("channel_not_found");
        if (utf8_length(str("topic")) > 250) return fail("too_long");
        c->topic = str("topic");
        return json_response(200,
                             nlohmann::json{{"ok", true}, {"channel", {{"id", c->id}}}}.dump());
    }
    if (method == "chat.postMessage" || method == "chat.update") {
        Channel* c = find(str("channel"));
        if (!c) return fail("channel_not_found");
        const bool has_blocks = a.contains("blocks");
        if (str("text").empty() && !has_blocks) return fail("no_text");
        if (has_blocks)
            if (const auto e = check_blocks(a["blocks"]); !e.empty()) return fail(e);
        if (method == "chat.postMessage") {
            if (utf8_length(str("text")) > 40000) return fail("msg_too_long");
            if (posts_per_second_ > 0) {
                auto& times = post_times_[c->id];
                const auto now = std::chrono::steady_clock::now();
                while (!times.empty() && now - times.front() > std::chrono::seconds(1))
                    times.pop_front();
                if (static_cast<int>(times.size()) >= posts_per_second_) {
                    error = "ratelimited";
                    HttpResponse r = json_response(429, R"({"ok":false,"error":"ratelimited"})");
                    r.headers.emplace_back("Retry-After", "1");
                    return r;
                }
                times.push_back(now);
            }
            char ts[32];
            const long long v = next_ts_++;
            std::snprintf(ts, sizeof ts, "%lld.%06lld", v / 1'000'000, v % 1'000'000);
            c->messages.push_back({ts, a, false, 0});
            return json_response(
                200, nlohmann::json{{"ok", true}, {"channel", c->id}, {"ts", ts}, {"message", a}}
                         .dump());
        }
        if (utf8_length(str("text")) > 4000) return fail("msg_too_long");
        for (auto& m : c->messages)
            if (m.ts == str("ts")) {
                m.args = a;
                ++m.updates;
                return json_response(
                    200, nlohmann::json{{"ok", true}, {"channel", c->id}, {"ts", m.ts}}.dump());
            }
        return fail("message_not_found");
    }
    if (method == "pins.add") {
        Channel* c = find(str("channel"));
        if (!c) return fail("channel_not_found");
        for (auto& m : c->messages)
            if (m.ts == str("timestamp")) {
                if (m.pinned) return fail("already_pinned");
                m.pinned = true;
                return json_response(200, R"({"ok":true})");
            }
        return fail("message_not_found");
    }
    if (method == "conversations.history") {
        Channel* c = find(str("channel"));
        if (!c) return fail("channel_not_found");
        nlohmann::json msgs = nlohmann::json::array();
        for (const auto& m : c->messages)
            if (m.ts == str("latest"))
                msgs.push_back({{"type", "message"},
                                {"ts", m.ts},
                                {"text", m.args.value("text", "")},
                                {"user", "U0BOT"}});
        return json_response(200, nlohmann::json{{"ok", true}, {"messages", msgs}}.dump());
    }
    return fail("unknown_method");
}

}  // namespace muster::test
