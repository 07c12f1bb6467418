#include "integrations/api/api.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "bot/domain/incident_id.h"
#include "bot/messages/documents.h"
#include "bot/messages/incident_export.h"
#include "bot/messages/message.h"
#include "bot/server/rejections.h"
#include "bot/server/router.h"
#include "integrations/hmac.h"
#include "integrations/slack/form.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::api {

namespace {

constexpr const char* kIncidents = "/api/v1/incidents";
constexpr std::size_t kMaxWaiting = 16;

std::string link_payload(const std::string& id, const std::string& format,
                         const std::string& expires) {
    return "pir|" + id + "|" + format + "|" + expires;
}

HttpResponse error(int status, const std::string& message) {
    return json_response(status, dump_json({{"error", message}}) + "\n");
}

HttpResponse document(const Document& d) {
    HttpResponse r;
    r.status = 200;
    r.content_type = d.content_type;
    r.body = d.body;
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

// One thread for the documents, a short queue in front of it.
class Worker {
  public:
    Worker() : thread_([this] { run(); }) {}
    ~Worker() {
        {
            std::lock_guard<std::mutex> l(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    bool submit(std::function<void()> job) {
        {
            std::lock_guard<std::mutex> l(mu_);
            if (stopping_ || jobs_.size() >= kMaxWaiting) return false;
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }

  private:
    void run() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> l(mu_);
                cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
                if (jobs_.empty()) return;
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

class ApiImpl : public Api {
  public:
    ApiImpl(const Config& config, const Clock& clock, IncidentReads& reads,
            ReportReads& report_reads, const Templates& templates)
        : config_(config),
          clock_(clock),
          reads_(reads),
          report_reads_(report_reads),
          templates_(templates) {}

    void install(Router& router) {
        router.add("GET", kIncidents, [this](HttpRequest&& req, Responder respond) {
            serve(std::move(req), std::move(respond), false);
        });
        router.add_prefix("GET", std::string(kIncidents) + "/",
                          [this](HttpRequest&& req, Responder respond) {
                              serve(std::move(req), std::move(respond), false);
                          });
        router.add("GET", "/api/v1/reports", [this](HttpRequest&& req, Responder respond) {
            serve(std::move(req), std::move(respond), true);
        });
    }

  private:
    using Query = std::map<std::string, std::string>;

    void serve(HttpRequest&& req, Responder respond, bool report) {
        const auto q = query_of(req.target);
        if (!q) return respond(error(400, "the query string is not valid form encoding"));
        if (!authorized(req, *q, report)) {
            const std::string why = config_.server.api_token.empty()
                                        ? "the API is off: set server.api_token"
                                        : "missing or wrong bearer token (server.api_token)";
            // One log key for the whole API: its paths carry incident ids.
            rejections().note("/api/v1", req.remote, why);
            return respond(error(401, why));
        }
        auto shared = std::make_shared<Responder>(std::move(respond));
        const bool queued = worker_.submit([this, path = req.path, q = *q, report, shared] {
            try {
                (*shared)(report ? reports(q) : incidents(path, q));
            } catch (const std::exception& e) {  // a database that is busy or gone: try again
                spdlog::warn("api: {} failed: {}", path, e.what());
                HttpResponse r = error(503, "temporarily unavailable, try again");
                r.headers.emplace_back("Retry-After", "1");
                (*shared)(r);
            }
        });
        if (!queued) {
            HttpResponse r = error(503, "busy: too many documents being built, try again");
            r.headers.emplace_back("Retry-After", "1");
            (*shared)(r);
        }
    }

    static std::optional<Query> query_of(const std::string& target) {
        const auto mark = target.find('?');
        if (mark == std::string::npos) return Query{};
        return parse_form(target.substr(mark + 1));
    }

    static std::string get(const Query& q, const std::string& k, const std::string& dflt = "") {
        const auto it = q.find(k);
        return it == q.end() ? dflt : it->second;
    }

    // The bearer token, or (for a PIR only) a signed link that has not expired.
    bool authorized(const HttpRequest& req, const Query& q, bool report) const {
        if (webhooks::bearer_ok(req, config_.server.api_token)) return true;
        if (report || config_.server.api_token.empty()) return false;
        const std::string sig = get(q, "signature"), expires = get(q, "expires");
        if (sig.empty() || expires.empty()) return false;
        const std::string prefix = std::string(kIncidents) + "/";
        if (req.path.size() <= prefix.size() || req.path.compare(0, prefix.size(), prefix) != 0)
            return false;
        const std::string rest = req.path.substr(prefix.size());
        const auto slash = rest.find('/');
        if (slash == std::string::npos || rest.substr(slash) != "/pir") return false;
        const std::string expected = hmac_sha256_hex(
            config_.server.api_token,
            link_payload(rest.substr(0, slash), get(q, "format", "markdown"), expires));
        if (!constant_time_equals(sig, expected)) return false;
        char* end = nullptr;
        const long long until = std::strtoll(expires.c_str(), &end, 10);
        return end && *end == '\0' && until * 1000 > clock_.now_ms();
    }

    std::optional<TimeZone> zone(const Query& q) const {
        return TimeZone::find(get(q, "tz", config_.reports.timezone));
    }

    HttpResponse incidents(const std::string& path, const Query& q) {
        const EpochMs now = clock_.now_ms();
        if (path == kIncidents) {  // the listing, a page at a time
            EpochMs since = 0;
            if (const std::string s = get(q, "since"); !s.empty()) {
                const auto t = parse_point_in_time(s, now, TimeZone::utc());
                if (!t) return error(400, "since: write 30d, 12h, 2026-11-01 or an RFC 3339 time");
                since = *t;
            }
            const std::string limit_text = get(q, "limit", "100");
            char* end = nullptr;
            const long limit = std::strtol(limit_text.c_str(), &end, 10);
            if (!end || *end != '\0' || limit < 1 || limit > 1000)
                return error(400, "limit: a number from 1 to 1000");
            IncidentReads::Page page;
            try {
                page = reads_.list_page(get(q, "open") == "true", since, get(q, "cursor"),
                                        static_cast<int>(limit));
            } catch (const std::invalid_argument& e) {
                return error(400, e.what());
            }
            nlohmann::json doc = {
                {"format", "muster.incidents.v1"},
                {"incidents", nlohmann::json::array()},
                {"next", page.next.empty() ? nlohmann::json(nullptr) : nlohmann::json(page.next)}};
            for (const auto& i : page.incidents) doc["incidents"].push_back(incident_json(i));
            return json_response(200, dump_json(doc, 2) + "\n");
        }
        // /api/v1/incidents/{id}[/timeline|/pir]
        const std::string rest = path.substr(std::string(kIncidents).size() + 1);
        const auto slash = rest.find('/');
        const std::string raw_id = rest.substr(0, slash);
        const std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
        if (!what.empty() && what != "timeline" && what != "pir")
            return error(404, "no such resource: use /timeline or /pir");
        const auto id = normalize_incident_id(raw_id);
        const auto state = id ? reads_.load(*id) : std::nullopt;
        if (!state) return error(404, "no incident " + webhooks::one_line(raw_id));
        if (what.empty()) {
            nlohmann::json j = incident_json(state->incident);
            j["action_items"] = action_items_json(reads_.action_items(*id));
            return json_response(200, dump_json(j, 2) + "\n");
        }
        if (what == "timeline")
            return json_response(200, dump_json({{"incident_id", *id},
                                                 {"timeline", timeline_json(reads_.timeline(*id))}},
                                                2) +
                                          "\n");
        const auto format = parse_doc_format(get(q, "format", "markdown"));
        if (!format) return error(400, "format: markdown, html or json");
        const auto z = zone(q);
        if (!z) return error(400, "tz: not in the tz database (e.g. Europe/Berlin)");
        const Pir pir =
            build_pir(*state, reads_.timeline(*id), reads_.action_items(*id), config_, *z, now);
        return document(pir_document(pir, *format, templates_));
    }

    HttpResponse reports(const Query& q) {
        const EpochMs now = clock_.now_ms();
        const auto format = parse_doc_format(get(q, "format", "json"));
        if (!format) return error(400, "format: markdown, html or json");
        const auto z = zone(q);
        if (!z) return error(400, "tz: not in the tz database (e.g. Europe/Berlin)");
        EpochMs until = now, since = now - config_.reports.default_window_ms;
        if (const std::string u = get(q, "until"); !u.empty()) {
            const auto t = parse_point_in_time(u, now, *z);
            if (!t) return error(400, "until: write 30d, 2026-11-01 or an RFC 3339 time");
            until = *t;
        }
        if (const std::string s = get(q, "since"); !s.empty()) {
            const auto t = parse_point_in_time(s, until, *z);
            if (!t) return error(400, "since: write 30d, 2026-11-01 or an RFC 3339 time");
            since = *t;
        }
        if (since >= until) return error(400, "since must be before until");
        const Report r = build_report(reads_, report_reads_, config_, *z, since, until, now);
        return document(report_document(r, *format, templates_));
    }

    const Config& config_;
    const Clock& clock_;
    IncidentReads& reads_;
    ReportReads& report_reads_;
    const Templates& templates_;
    Worker worker_;  // last: stopped (joined) first
};

}  // namespace

std::string pir_link(const Config& config, const std::string& id, const std::string& format,
                     EpochMs now) {
    if (config.server.public_url.empty() || config.server.api_token.empty()) return "";
    const std::string expires = std::to_string((now + kLinkValidMs) / 1000);
    return config.server.public_url + kIncidents + "/" + id + "/pir?format=" + format +
           "&expires=" + expires + "&signature=" +
           hmac_sha256_hex(config.server.api_token, link_payload(id, format, expires));
}

std::unique_ptr<Api> install_api(const Config& config, const Clock& clock, Router& router,
                                 IncidentReads& reads, ReportReads& report_reads,
                                 const Templates& templates) {
    auto api = std::make_unique<ApiImpl>(config, clock, reads, report_reads, templates);
    api->install(router);
    return api;
}

}  // namespace muster::api
