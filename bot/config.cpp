#include "bot/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "bot/channel_name.h"
#include "bot/duration.h"
#include "bot/http_server.h"

namespace muster {

std::optional<Level> parse_level(const std::string& s) {
    std::string l;
    for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "high" || l == "h") return Level::high;
    if (l == "medium" || l == "med" || l == "m") return Level::medium;
    if (l == "low" || l == "l") return Level::low;
    return std::nullopt;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::high:
            return "high";
        case Level::medium:
            return "medium";
        case Level::low:
            return "low";
    }
    return "?";
}

static std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

const SeverityDef* Config::severity(const std::string& key) const {
    const std::string k = upper(key);
    for (const auto& s : severities)
        if (upper(s.key) == k) return &s;
    return nullptr;
}

std::vector<std::string> Config::severity_keys() const {
    std::vector<std::string> keys;
    for (const auto& s : severities) keys.push_back(s.key);
    return keys;
}

bool Config::console_enabled() const {
    if (chat.console) return *chat.console;
    return !slack_configured() && !teams_configured();
}

bool Config::pagerduty_configured() const {
    for (const auto& [k, c] : contacts)
        if (!c.pagerduty_routing_key.empty()) return true;
    return false;
}

std::vector<std::string> Config::delivery_destinations() const {
    std::vector<std::string> out;
    if (console_enabled()) out.push_back("console");
    if (slack_configured()) out.push_back("slack");
    if (pagerduty_configured()) out.push_back("pagerduty");
    return out;
}

std::string Config::page_methods(const Contact& c) const {
    std::string methods;
    if (!c.pagerduty_routing_key.empty()) methods += "pagerduty ";
    if (slack_configured() && !c.slack_user.empty()) methods += "slack ";
    if (console_enabled()) methods += "console ";
    if (!methods.empty()) methods.pop_back();
    return methods;
}

std::vector<std::string> Config::warnings() const {
    std::vector<std::string> out;
    for (const auto& [sev, levels] : escalation.policies)
        for (std::size_t i = 0; i < levels.size(); ++i)
            for (const auto& who : levels[i].notify) {
                const auto c = contacts.find(who);
                if (c != contacts.end() && page_methods(c->second).empty())
                    out.push_back("escalation.policies." + sev + "[" + std::to_string(i) +
                                  "]: contact '" + who +
                                  "' has no way to be paged here (set pagerduty_routing_key, or "
                                  "slack_user with Slack configured)");
            }
    return out;
}

std::vector<std::string> Config::secrets() const {
    std::vector<std::string> out;
    for (const std::string* s :
         {&server.api_token, &slack.signing_secret, &slack.bot_token, &teams.app_password,
          &pagerduty.api_token, &alertmanager.bearer_token})
        if (!s->empty()) out.push_back(*s);
    for (const auto& s : pagerduty.webhook_secrets)
        if (!s.empty()) out.push_back(s);
    for (const auto& [k, c] : contacts)
        if (!c.pagerduty_routing_key.empty()) out.push_back(c.pagerduty_routing_key);
    return out;
}

std::string ConfigError::to_string() const {
    std::ostringstream o;
    o << file;
    if (line > 0) o << ":" << line;
    o << ": ";
    if (!key.empty()) o << key << ": ";
    o << message;
    return o.str();
}

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

Config default_config() {
    Config c;
    c.source = "(defaults)";
    const std::int64_t m = 60'000, h = 60 * m;
    c.severities = {
        {"P0", "Critical", "Complete outage, data loss or security breach", 15 * m, 30 * m,
         "#alerts-critical", "critical", 48 * h},
        {"P1", "High", "Major functionality impaired", 1 * h, 1 * h, "#alerts-warning", "error",
         48 * h},
        {"P2", "Medium", "Minor or partial functionality affected", 4 * h, std::nullopt,
         "#alerts-warning", "warning", std::nullopt},
        {"P3", "Low", "Cosmetic or minimal impact", 24 * h, std::nullopt, "#alerts-info", "info",
         std::nullopt},
    };
    auto contact = [&](const std::string& key, const std::string& name) {
        Contact ct;
        ct.key = key;
        ct.name = name;
        c.contacts[key] = ct;
    };
    contact("oncall-primary", "On-call engineer");
    contact("eng-manager", "Engineering manager");
    contact("tech-director", "Technical director");
    contact("vp-eng", "VP engineering");
    contact("executive", "Executive on call");
    c.escalation.policies = {
        {"P0",
         {{0, {"oncall-primary"}},
          {15 * m, {"eng-manager"}},
          {1 * h, {"tech-director"}},
          {4 * h, {"vp-eng"}},
          {24 * h, {"executive"}}}},
        {"P1",
         {{0, {"oncall-primary"}},
          {1 * h, {"eng-manager"}},
          {4 * h, {"tech-director"}},
          {24 * h, {"vp-eng"}}}},
        {"P2", {{0, {"oncall-primary"}}, {4 * h, {"eng-manager"}}, {24 * h, {"tech-director"}}}},
        {"P3", {{0, {"oncall-primary"}}}},
    };
    using L = Level;
    c.priority_matrix = {
        {L::high, {{L::high, "P0"}, {L::medium, "P0"}, {L::low, "P1"}}},
        {L::medium, {{L::high, "P0"}, {L::medium, "P1"}, {L::low, "P2"}}},
        {L::low, {{L::high, "P1"}, {L::medium, "P2"}, {L::low, "P3"}}},
    };
    return c;
}

std::string interpolate_env(const std::string& text, const EnvLookup& env, std::string* error) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
            const std::size_t end = text.find('}', i + 2);
            if (end == std::string::npos) {
                if (error) *error = "unterminated ${ in value";
                return text;
            }
            std::string expr = text.substr(i + 2, end - i - 2);
            std::string fallback;
            bool has_fallback = false;
            if (const auto p = expr.find(":-"); p != std::string::npos) {
                fallback = expr.substr(p + 2);
                expr = expr.substr(0, p);
                has_fallback = true;
            }
            static const std::regex name_re("[A-Za-z_][A-Za-z0-9_]*");
            if (!std::regex_match(expr, name_re)) {
                if (error) *error = "invalid environment variable name '" + expr + "'";
                return text;
            }
            const auto v = env(expr);
            if (v && !v->empty())
                out += *v;
            else if (has_fallback)
                out += fallback;
            i = end + 1;
        } else {
            out += text[i++];
        }
    }
    return out;
}

namespace {

// Walks the YAML tree, filling a Config and collecting every error with its line and key path.
class Reader {
  public:
    Reader(std::string file, const EnvLookup& env, std::vector<ConfigError>& errors)
        : file_(std::move(file)), env_(env), errors_(errors) {}

    void error(const YAML::Node& n, const std::string& key, const std::string& msg) {
        errors_.push_back({file_, n.IsDefined() ? n.Mark().line + 1 : 0, key, msg});
    }

    // Checks that a mapping has only the known keys; returns false if it is not a mapping.
    bool expect_map(const YAML::Node& n, const std::string& path,
                    const std::set<std::string>& known) {
        if (!n.IsDefined() || n.IsNull()) return false;
        if (!n.IsMap()) {
            error(n, path, "must be a mapping");
            return false;
        }
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string k = it->first.as<std::string>();
            if (!known.empty() && !known.count(k))
                error(it->first, join(path, k), "unknown key" + suggestion(k, known));
        }
        return true;
    }

    static std::string join(const std::string& a, const std::string& b) {
        return a.empty() ? b : a + "." + b;
    }

    static std::string suggestion(const std::string& k, const std::set<std::string>& known) {
        std::string list;
        for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
        (void)k;
        return " (expected one of: " + list + ")";
    }

    // A key written with no value (YAML null) is an error, never a silent "unset": the usual
    // cause is an unquoted #, which starts a comment (`announce_channel: #incidents`). Only a
    // section (a top-level key, one severity, one contact) may be empty. Reported at the key's
    // line, for every such key in the file, before anything is read.
    void report_null_values(const YAML::Node& n, const std::string& path, int depth) {
        static const char* kHint =
            "has no value (in YAML an unquoted # starts a comment: write \"#name\" in quotes; "
            "for an empty value write \"\")";
        if (n.IsMap()) {
            for (auto it = n.begin(); it != n.end(); ++it) {
                const std::string key = join(path, it->first.as<std::string>());
                const bool section =
                    depth == 0 || (depth == 1 && (path == "severities" || path == "contacts"));
                if (it->second.IsNull() && !section)
                    errors_.push_back({file_, it->first.Mark().line + 1, key, kHint});
                else
                    report_null_values(it->second, key, depth + 1);
            }
        } else if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i) {
                const std::string key = path + "[" + std::to_string(i) + "]";
                if (n[i].IsNull())
                    errors_.push_back({file_, n[i].Mark().line + 1, key, kHint});
                else
                    report_null_values(n[i], key, depth + 1);
            }
        }
    }

    bool no_value(const YAML::Node& n, const std::string&) {
        return n.IsDefined() && n.IsNull();  // reported by report_null_values
    }

    bool scalar(const YAML::Node& n, const std::string& path, std::string& out) {
        if (!n.IsDefined() || no_value(n, path)) return false;
        if (!n.IsScalar()) {
            error(n, path, "must be a single value");
            return false;
        }
        std::string err;
        std::string v = interpolate_env(n.Scalar(), env_, &err);
        if (!err.empty()) {
            error(n, path, err);
            return false;
        }
        out = v;
        return true;
    }

    void str(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
        std::string v;
        if (scalar(map[key], join(path, key), v)) out = v;
    }

    void duration(const YAML::Node& map, const std::string& path, const char* key,
                  std::int64_t& out) {
        std::string v;
        if (!scalar(map[key], join(path, key), v)) return;
        if (auto d = parse_duration_ms(v))
            out = *d;
        else
            error(map[key], join(path, key),
                  "'" + v + "' is not a duration (write it like 30s, 5m, 1h, 24h)");
    }

    void boolean(const YAML::Node& map, const std::string& path, const char* key, bool& out) {
        std::string v;
        if (!scalar(map[key], join(path, key), v)) return;
        if (v == "true" || v == "yes" || v == "on")
            out = true;
        else if (v == "false" || v == "no" || v == "off")
            out = false;
        else
            error(map[key], join(path, key), "'" + v + "' is not true or false");
    }

    template <typename Int>
    void integer(const YAML::Node& map, const std::string& path, const char* key, Int& out,
                 long long lo, long long hi) {
        std::string v;
        if (!scalar(map[key], join(path, key), v)) return;
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) {
            error(map[key], join(path, key),
                  "'" + v + "' must be a whole number from " + std::to_string(lo) + " to " +
                      std::to_string(hi));
            return;
        }
        out = static_cast<Int>(n);
    }

    void string_list(const YAML::Node& map, const std::string& path, const char* key,
                     std::vector<std::string>& out) {
        const YAML::Node n = map[key];
        if (!n.IsDefined() || no_value(n, join(path, key))) return;
        if (n.IsScalar()) {
            std::string v;
            if (scalar(n, join(path, key), v)) out = {v};
            return;
        }
        if (!n.IsSequence()) {
            error(n, join(path, key), "must be a list");
            return;
        }
        out.clear();
        for (std::size_t i = 0; i < n.size(); ++i) {
            std::string v;
            if (scalar(n[i], join(path, key) + "[" + std::to_string(i) + "]", v) && !v.empty())
                out.push_back(v);
        }
    }

    void string_map(const YAML::Node& map, const std::string& path, const char* key,
                    std::map<std::string, std::string>& out) {
        const YAML::Node n = map[key];
        if (no_value(n, join(path, key)) || !expect_map(n, join(path, key), {})) return;
        out.clear();
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string v;
            const std::string k = it->first.as<std::string>();
            if (scalar(it->second, join(join(path, key), k), v)) out[k] = v;
        }
    }

  private:
    std::string file_;
    const EnvLookup& env_;
    std::vector<ConfigError>& errors_;
};

// The runbook's P0…P3 renamed, by rank, to the severities a file names instead (in its order):
// the i-th takes P<i>'s SLA, PagerDuty severity, review rule, escalation policy and matrix cells.
void rename_default_severities(Config& c, const YAML::Node& file_severities) {
    std::map<std::string, std::string> to;  // default key → new key
    std::vector<SeverityDef> renamed;
    std::size_t i = 0;
    for (auto it = file_severities.begin(); it != file_severities.end(); ++it, ++i) {
        SeverityDef d = c.severities[std::min(i, c.severities.size() - 1)];
        if (i < c.severities.size()) to[d.key] = it->first.as<std::string>();
        d.key = it->first.as<std::string>();
        renamed.push_back(d);
    }
    const std::string least = renamed.back().key;
    auto rename = [&](const std::string& k) {
        const auto t = to.find(k);
        return t == to.end() ? least : t->second;
    };
    std::map<std::string, std::vector<EscalationLevel>> policies;
    for (const auto& [k, levels] : c.escalation.policies)
        if (to.count(k)) policies[to[k]] = levels;
    c.escalation.policies = policies;
    for (auto& [impact, row] : c.priority_matrix)
        for (auto& [urgency, sev] : row) sev = rename(sev);
    for (auto& [k, sev] : c.pagerduty.auto_declare) sev = rename(sev);
    for (auto& [k, sev] : c.alertmanager.auto_declare) sev = rename(sev);
    c.severities = renamed;
}

void read_config(Reader& r, const YAML::Node& root, Config& c) {
    if (!r.expect_map(root, "",
                      {"server", "storage", "chat", "slack", "teams", "pagerduty", "alertmanager",
                       "severities", "contacts", "escalation", "priority_matrix", "templates",
                       "outbox", "log"}))
        return;

    if (const auto n = root["server"]; r.expect_map(
            n, "server",
            {"listen", "max_body_bytes", "max_header_bytes", "read_timeout", "idle_timeout",
             "drain_timeout", "threads", "max_connections", "api_token"})) {
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
        r.str(n, "server", "api_token", c.server.api_token);
    }
    if (const auto n = root["storage"];
        r.expect_map(n, "storage", {"path", "synchronous", "busy_timeout"})) {
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
    }
    if (const auto n = root["chat"]; r.expect_map(n, "chat", {"console"})) {
        bool b = false;
        std::string v;
        if (r.scalar(n["console"], "chat.console", v)) {
            r.boolean(n, "chat", "console", b);
            c.chat.console = b;
        }
    }
    if (const auto n = root["slack"];
        r.expect_map(n, "slack",
                     {"signing_secret", "bot_token", "api_url", "announce_channel",
                      "channel_name_pattern", "channel_private", "responders", "timeout"})) {
        r.str(n, "slack", "signing_secret", c.slack.signing_secret);
        r.str(n, "slack", "bot_token", c.slack.bot_token);
        r.str(n, "slack", "api_url", c.slack.api_url);
        r.str(n, "slack", "announce_channel", c.slack.announce_channel);
        r.str(n, "slack", "channel_name_pattern", c.slack.channel_name_pattern);
        r.boolean(n, "slack", "channel_private", c.slack.channel_private);
        r.string_list(n, "slack", "responders", c.slack.responders);
        r.duration(n, "slack", "timeout", c.slack.timeout_ms);
        for (const auto& tok : unknown_pattern_tokens(c.slack.channel_name_pattern))
            r.error(n["channel_name_pattern"], "slack.channel_name_pattern",
                    "unknown token {" + tok + "}");
    }
    if (const auto n = root["teams"];
        r.expect_map(n, "teams",
                     {"app_id", "app_password", "tenant_id", "team_id", "announce_channel_id",
                      "openid_metadata_url", "token_url", "graph_url"})) {
        r.str(n, "teams", "app_id", c.teams.app_id);
        r.str(n, "teams", "app_password", c.teams.app_password);
        r.str(n, "teams", "tenant_id", c.teams.tenant_id);
        r.str(n, "teams", "team_id", c.teams.team_id);
        r.str(n, "teams", "announce_channel_id", c.teams.announce_channel_id);
        r.str(n, "teams", "openid_metadata_url", c.teams.openid_metadata_url);
        r.str(n, "teams", "token_url", c.teams.token_url);
        r.str(n, "teams", "graph_url", c.teams.graph_url);
    }
    if (const auto n = root["pagerduty"];
        r.expect_map(n, "pagerduty",
                     {"webhook_secrets", "events_url", "api_url", "api_token", "auto_declare"})) {
        r.string_list(n, "pagerduty", "webhook_secrets", c.pagerduty.webhook_secrets);
        r.str(n, "pagerduty", "events_url", c.pagerduty.events_url);
        r.str(n, "pagerduty", "api_url", c.pagerduty.api_url);
        r.str(n, "pagerduty", "api_token", c.pagerduty.api_token);
        r.string_map(n, "pagerduty", "auto_declare", c.pagerduty.auto_declare);
    }
    if (const auto n = root["alertmanager"];
        r.expect_map(n, "alertmanager", {"bearer_token", "auto_declare"})) {
        r.str(n, "alertmanager", "bearer_token", c.alertmanager.bearer_token);
        r.string_map(n, "alertmanager", "auto_declare", c.alertmanager.auto_declare);
    }
    if (const auto n = root["severities"]; r.expect_map(n, "severities", {})) {
        static const std::regex key_re("[A-Za-z0-9_-]{1,16}");
        // A file that names none of the runbook's severities (SEV1…SEV4 instead of P0…P3)
        // replaces them: each of its severities takes the runbook's defaults of the same rank,
        // and so do the default escalation policies, priority matrix and auto-declare maps.
        bool replaces = true;
        for (auto it = n.begin(); it != n.end(); ++it)
            if (c.severity(it->first.as<std::string>())) replaces = false;
        if (replaces && n.size() > 0) rename_default_severities(c, n);
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            const std::string path = "severities." + key;
            if (!std::regex_match(key, key_re)) {
                r.error(it->first, path, "severity names are 1-16 letters, digits, - or _");
                continue;
            }
            SeverityDef* def = nullptr;
            for (auto& sd : c.severities)
                if (upper(sd.key) == upper(key)) def = &sd;
            if (!def) {
                // Added below the runbook's: the least severe default's rules, its own name.
                SeverityDef added = default_config().severities.back();
                added.key = key;
                added.name = key;
                added.description.clear();
                added.alert_channel.clear();
                c.severities.push_back(added);
                def = &c.severities.back();
            }
            const YAML::Node sv = it->second;
            if (!r.expect_map(sv, path,
                              {"name", "description", "respond_within", "update_every",
                               "alert_channel", "pagerduty_severity", "review_within"}))
                continue;
            r.str(sv, path, "name", def->name);
            r.str(sv, path, "description", def->description);
            r.duration(sv, path, "respond_within", def->respond_within_ms);
            if (sv["update_every"].IsDefined()) {
                std::int64_t ue = 0;
                r.duration(sv, path, "update_every", ue);
                if (ue > 0) def->update_every_ms = ue;
            }
            r.str(sv, path, "alert_channel", def->alert_channel);
            std::string pd;
            if (r.scalar(sv["pagerduty_severity"], path + ".pagerduty_severity", pd)) {
                if (pd != "critical" && pd != "error" && pd != "warning" && pd != "info")
                    r.error(sv["pagerduty_severity"], path + ".pagerduty_severity",
                            "'" + pd + "' must be critical, error, warning or info (PagerDuty)");
                else
                    def->pagerduty_severity = pd;
            }
            if (sv["review_within"].IsDefined()) {
                std::int64_t rw = 0;
                r.duration(sv, path, "review_within", rw);
                if (rw > 0)
                    def->review_within_ms = rw;
                else
                    def->review_within_ms.reset();  // 0s: no review
            }
        }
    }
    if (const auto n = root["contacts"]; r.expect_map(n, "contacts", {})) {
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            const std::string path = "contacts." + key;
            Contact& ct = c.contacts[key];
            ct.key = key;
            const YAML::Node s = it->second;
            if (!r.expect_map(
                    s, path,
                    {"name", "slack_user", "teams_user", "pagerduty_routing_key", "email"}))
                continue;
            r.str(s, path, "name", ct.name);
            r.str(s, path, "slack_user", ct.slack_user);
            r.str(s, path, "teams_user", ct.teams_user);
            r.str(s, path, "pagerduty_routing_key", ct.pagerduty_routing_key);
            if (!ct.pagerduty_routing_key.empty() && ct.pagerduty_routing_key.size() != 32)
                r.error(s["pagerduty_routing_key"], path + ".pagerduty_routing_key",
                        "must be the 32-character Events API v2 integration key");
            r.str(s, path, "email", ct.email);
            if (ct.name.empty()) ct.name = key;
        }
    }
    if (const auto n = root["escalation"]; r.expect_map(
            n, "escalation", {"ack_within", "repeat_limit", "ic_nudge_after", "policies"})) {
        r.duration(n, "escalation", "ack_within", c.escalation.ack_within_ms);
        r.integer(n, "escalation", "repeat_limit", c.escalation.repeat_limit, 0, 100);
        r.duration(n, "escalation", "ic_nudge_after", c.escalation.ic_nudge_after_ms);
        if (const auto p = n["policies"]; r.expect_map(p, "escalation.policies", {})) {
            for (auto it = p.begin(); it != p.end(); ++it) {
                const std::string sev = it->first.as<std::string>();
                const std::string path = "escalation.policies." + sev;
                if (!it->second.IsSequence()) {
                    r.error(it->second, path, "must be a list of {after, notify} levels");
                    continue;
                }
                std::vector<EscalationLevel> levels;
                std::int64_t last = -1;
                for (std::size_t i = 0; i < it->second.size(); ++i) {
                    const YAML::Node lv = it->second[i];
                    const std::string lpath = path + "[" + std::to_string(i) + "]";
                    if (!r.expect_map(lv, lpath, {"after", "notify"})) continue;
                    EscalationLevel level;
                    r.duration(lv, lpath, "after", level.after_ms);
                    r.string_list(lv, lpath, "notify", level.notify);
                    if (level.notify.empty()) r.error(lv, lpath + ".notify", "names no contact");
                    if (level.after_ms < last)
                        r.error(lv, lpath + ".after",
                                "levels must be in order of their delay (this one comes before "
                                "the previous level)");
                    last = level.after_ms;
                    levels.push_back(level);
                }
                c.escalation.policies[sev] = levels;
            }
        }
    }
    if (const auto n = root["priority_matrix"]; r.expect_map(n, "priority_matrix", {})) {
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string ik = it->first.as<std::string>();
            const auto impact = parse_level(ik);
            if (!impact) {
                r.error(it->first, "priority_matrix." + ik, "impact must be high, medium or low");
                continue;
            }
            if (!r.expect_map(it->second, "priority_matrix." + ik, {})) continue;
            for (auto jt = it->second.begin(); jt != it->second.end(); ++jt) {
                const std::string uk = jt->first.as<std::string>();
                const std::string path = "priority_matrix." + ik + "." + uk;
                const auto urgency = parse_level(uk);
                if (!urgency) {
                    r.error(jt->first, path, "urgency must be high, medium or low");
                    continue;
                }
                std::string sev;
                if (r.scalar(jt->second, path, sev)) c.priority_matrix[*impact][*urgency] = sev;
            }
        }
    }
    if (const auto n = root["outbox"]; r.expect_map(n, "outbox", {"retry_base", "retry_max"})) {
        r.duration(n, "outbox", "retry_base", c.outbox.retry_base_ms);
        r.duration(n, "outbox", "retry_max", c.outbox.retry_max_ms);
    }
    if (const auto n = root["templates"]; r.expect_map(n, "templates", {"dir"}))
        r.str(n, "templates", "dir", c.templates.dir);
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

// Cross-references that only make sense once the whole file is read.
void validate(const Config& c, const std::string& file, std::vector<ConfigError>& errors) {
    auto err = [&](const std::string& key, const std::string& msg) {
        errors.push_back({file, 0, key, msg});
    };
    if (c.severities.empty()) err("severities", "at least one severity is needed");
    // Values Muster sends must fit the platforms' limits; a setting that could only produce an
    // over-limit value is refused here rather than failing at 3 a.m.
    for (const auto& [key, ct] : c.contacts)
        if (key.size() > 100)
            err("contacts." + key.substr(0, 40) + "…",
                "contact keys are at most 100 characters (they are part of PagerDuty's "
                "dedup_key, at most 255)");
    {
        // The pattern without its slug, with the widest incident id, must leave room in Slack's
        // 80 characters for a "-NN" suffix.
        const std::string fixed =
            channel_name({c.slack.channel_name_pattern, "", "INC-20261231-999999",
                          "SEV-LONGEST-NAME", 4102444799000},
                         1000);
        if (fixed.size() > 76)
            err("slack.channel_name_pattern",
                "without its {slug} the pattern already makes names of " +
                    std::to_string(fixed.size()) +
                    " characters; Slack allows 80 (keep the fixed part under 77)");
    }
    for (const auto& [sev, levels] : c.escalation.policies) {
        if (!c.severity(sev)) err("escalation.policies." + sev, "no such severity");
        for (std::size_t i = 0; i < levels.size(); ++i)
            for (const auto& who : levels[i].notify)
                if (!c.contacts.count(who))
                    err("escalation.policies." + sev + "[" + std::to_string(i) + "].notify",
                        "unknown contact '" + who + "' (define it under contacts)");
    }
    for (const auto& [impact, row] : c.priority_matrix)
        for (const auto& [urgency, sev] : row)
            if (!c.severity(sev))
                err(std::string("priority_matrix.") + level_name(impact) + "." +
                        level_name(urgency),
                    "unknown severity '" + sev + "'");
    for (const auto& [k, sev] : c.pagerduty.auto_declare)
        if (!c.severity(sev)) err("pagerduty.auto_declare." + k, "unknown severity '" + sev + "'");
    for (const auto& [k, sev] : c.alertmanager.auto_declare)
        if (!c.severity(sev))
            err("alertmanager.auto_declare." + k, "unknown severity '" + sev + "'");
}

// Every secret can also come from the environment, for deployments that keep files secret-free.
void fill_secrets_from_env(Config& c, const EnvLookup& env) {
    auto fill = [&](std::string& field, const char* var) {
        if (field.empty())
            if (auto v = env(var)) field = *v;
    };
    fill(c.server.api_token, "MUSTER_API_TOKEN");
    fill(c.slack.signing_secret, "SLACK_SIGNING_SECRET");
    fill(c.slack.bot_token, "SLACK_BOT_TOKEN");
    fill(c.teams.app_id, "TEAMS_APP_ID");
    fill(c.teams.app_password, "TEAMS_APP_PASSWORD");
    fill(c.teams.tenant_id, "TEAMS_TENANT_ID");
    fill(c.pagerduty.api_token, "PD_API_TOKEN");
    fill(c.alertmanager.bearer_token, "ALERTMANAGER_TOKEN");
    if (c.pagerduty.webhook_secrets.empty())
        if (auto v = env("PD_WEBHOOK_SECRET"); v && !v->empty()) c.pagerduty.webhook_secrets = {*v};
}

}  // namespace

ConfigResult parse_config(const std::string& yaml_text, const std::string& filename,
                          const EnvLookup& env) {
    ConfigResult result{default_config(), {}};
    result.config.source = filename;
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp stops before its recursion can exhaust the stack, with a vague message.
        result.errors.push_back({filename, e.mark.line >= 0 ? e.mark.line + 1 : 0, "",
                                 "nested too deeply (" + std::to_string(e.depth()) +
                                     " levels); a configuration needs a handful"});
        return result;
    } catch (const YAML::Exception& e) {
        result.errors.push_back({filename, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg});
        return result;
    }
    Reader reader(filename, env, result.errors);
    try {
        if (root.IsDefined() && !root.IsNull()) {
            reader.report_null_values(root, "", 0);
            read_config(reader, root, result.config);
        }
    } catch (const YAML::Exception& e) {
        result.errors.push_back({filename, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg});
    }
    fill_secrets_from_env(result.config, env);
    validate(result.config, filename, result.errors);
    return result;
}

ConfigResult load_config(const std::string& path, const EnvLookup& env) {
    if (path.empty()) {
        ConfigResult r{default_config(), {}};
        fill_secrets_from_env(r.config, env);
        return r;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ConfigResult r{default_config(), {}};
        r.errors.push_back({path, 0, "", "cannot read the configuration file"});
        return r;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path, env);
}

}  // namespace muster
