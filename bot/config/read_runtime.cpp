// The sections about Muster itself: server, storage, retention, outbox, templates, log.
#include "bot/config/config_reader.h"
#include "bot/server/http_server.h"

namespace muster::config_reading {

void read_server(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["server"];
        r.expect_map(n, "server",
                     {"listen", "max_body_bytes", "max_header_bytes", "read_timeout",
                      "idle_timeout", "drain_timeout", "threads", "max_connections",
                      "answer_within", "api_token", "public_url"})) {
        std::string listen;
        if (r.scalar(n["listen"], "server.listen", listen)) {
            const auto colon = listen.rfind(':');
            long port = -1;
            if (colon != std::string::npos && colon + 1 < listen.size()) {
                char* end = nullptr;
                port = std::strtol(listen.c_str() + colon + 1, &end, 10);
                if (*end != '\0') port = -1;
            }
            if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535)
                r.error(n["listen"], "server.listen",
                        "'" + listen + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
            else {
                c.server.host = listen.substr(0, colon);
                c.server.port = static_cast<std::uint16_t>(port);
            }
        }
        r.integer(n, "server", "max_body_bytes", c.server.max_body_bytes, 1024, 64LL << 20);
        r.integer(n, "server", "max_header_bytes", c.server.max_header_bytes, 1024,
                  static_cast<long long>(kMaxHeaderBytes));
        r.duration(n, "server", "read_timeout", c.server.read_timeout_ms);
        r.duration(n, "server", "idle_timeout", c.server.idle_timeout_ms);
        r.duration(n, "server", "drain_timeout", c.server.drain_timeout_ms);
        r.integer(n, "server", "threads", c.server.threads, 1, 64);
        r.integer(n, "server", "max_connections", c.server.max_connections, 1, 1'000'000);
        r.duration(n, "server", "answer_within", c.server.answer_within_ms);
        r.str(n, "server", "api_token", c.server.api_token);
        r.str(n, "server", "public_url", c.server.public_url);
        while (!c.server.public_url.empty() && c.server.public_url.back() == '/')
            c.server.public_url.pop_back();
        if (!c.server.public_url.empty() && c.server.public_url.rfind("http://", 0) != 0 &&
            c.server.public_url.rfind("https://", 0) != 0)
            r.error(n["public_url"], "server.public_url",
                    "'" + c.server.public_url + "' must start with https:// (or http://)");
    }
}

// reports: timezone, working_hours "09:00-18:00", working_days [mon, …], window.
void read_reports(Reader& r, const YAML::Node& root, Config& c) {
    const auto n = root["reports"];
    if (!r.expect_map(n, "reports", {"timezone", "working_hours", "working_days", "window"}))
        return;
    r.str(n, "reports", "timezone", c.reports.timezone);
    std::string hours;
    if (r.scalar(n["working_hours"], "reports.working_hours", hours)) {
        int h1 = -1, m1 = -1, h2 = -1, m2 = -1;
        char tail = 0;
        if (std::sscanf(hours.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
            m1 != 0 || m2 != 0 || h1 < 0 || h1 > 23 || h2 < 1 || h2 > 24 || h2 <= h1)
            r.error(n["working_hours"], "reports.working_hours",
                    "'" + hours + "' must be whole hours HH:00-HH:00, e.g. 09:00-18:00");
        else {
            c.reports.work_start_hour = h1;
            c.reports.work_end_hour = h2;
        }
    }
    if (const auto d = n["working_days"]; d.IsDefined()) {
        static const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        std::vector<int> days;
        if (!d.IsSequence())
            r.error(d, "reports.working_days", "must be a list, e.g. [mon, tue, wed, thu, fri]");
        else
            for (const auto& item : d) {
                std::string v = item.IsScalar() ? item.as<std::string>() : "";
                for (auto& ch : v)
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                int found = 0;
                for (int i = 0; i < 7; ++i)
                    if (v.substr(0, 3) == names[i]) found = i + 1;
                if (found == 0)
                    r.error(item, "reports.working_days", "'" + v + "' is not a day (mon … sun)");
                else
                    days.push_back(found);
            }
        c.reports.work_days = days;
    }
    r.duration(n, "reports", "window", c.reports.default_window_ms);
}

void read_storage(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["storage"];
        r.expect_map(n, "storage", {"path", "synchronous", "busy_timeout", "max_queue"})) {
        r.str(n, "storage", "path", c.storage.path);
        std::string sync;
        if (r.scalar(n["synchronous"], "storage.synchronous", sync)) {
            if (sync != "full" && sync != "normal")
                r.error(n["synchronous"], "storage.synchronous",
                        "'" + sync + "' must be full or normal");
            else
                c.storage.synchronous = sync;
        }
        r.duration(n, "storage", "busy_timeout", c.storage.busy_timeout_ms);
        r.integer(n, "storage", "max_queue", c.storage.max_queue, 100, 10'000'000);
    }
}

void read_outbox(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["outbox"]; r.expect_map(n, "outbox", {"retry_base", "retry_max"})) {
        r.duration(n, "outbox", "retry_base", c.outbox.retry_base_ms);
        r.duration(n, "outbox", "retry_max", c.outbox.retry_max_ms);
    }
}

void read_templates(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["templates"]; r.expect_map(n, "templates", {"dir"}))
        r.str(n, "templates", "dir", c.templates.dir);
}

void read_log(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["log"]; r.expect_map(n, "log", {"level", "format"})) {
        std::string v;
        if (r.scalar(n["level"], "log.level", v)) {
            static const std::set<std::string> levels = {"trace", "debug", "info",
                                                         "warn",  "error", "off"};
            if (!levels.count(v))
                r.error(n["level"], "log.level",
                        "'" + v + "' must be trace, debug, info, warn, error or off");
            else
                c.log.level = v;
        }
        if (r.scalar(n["format"], "log.format", v)) {
            if (v != "text" && v != "json")
                r.error(n["format"], "log.format", "'" + v + "' must be text or json");
            else
                c.log.format = v;
        }
    }
}

void read_retention(Reader& r, const YAML::Node& root, Config& c) {
    if (const auto n = root["retention"];
        r.expect_map(n, "retention", {"outbox", "timers", "dedupe"})) {
        r.duration(n, "retention", "outbox", c.retention.outbox_ms);
        r.duration(n, "retention", "timers", c.retention.timers_ms);
        r.duration(n, "retention", "dedupe", c.retention.dedupe_ms);
    }
}

}  // namespace muster::config_reading
