#include "bot/config/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "bot/config/config_reader.h"
#include "bot/domain/duration.h"

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

namespace {
std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

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
    if (!pagerduty.api_token.empty()) out.push_back("pagerduty_api");
    return out;
}

std::vector<std::string> Config::secrets() const {
    std::vector<std::string> out;
    for (const std::string* s :
         {&server.api_token, &slack.signing_secret, &slack.bot_token, &teams.app_password,
          &pagerduty.api_token, &alertmanager.bearer_token, &grafana.bearer_token,
          &grafana.hmac_secret})
        if (!s->empty()) out.push_back(*s);
    for (const auto& [name, h] : heartbeats)
        if (!h.token.empty()) out.push_back(h.token);
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
using namespace config_reading;

void read_config(Reader& r, const YAML::Node& root, Config& c) {
    if (!r.expect_map(
            root, "",
            {"server", "storage", "chat", "slack", "teams", "pagerduty", "alertmanager", "grafana",
             "correlation", "heartbeats", "severities", "contacts", "escalation", "priority_matrix",
             "templates", "outbox", "log", "retention", "reports"}))
        return;
    read_server(r, root, c);
    read_storage(r, root, c);
    read_retention(r, root, c);
    read_reports(r, root, c);
    read_chat(r, root, c);
    read_slack(r, root, c);
    read_teams(r, root, c);
    read_pagerduty(r, root, c);
    read_alertmanager(r, root, c);
    read_grafana(r, root, c);
    read_correlation(r, root, c);
    read_heartbeats(r, root, c);
    read_severities(r, root, c);
    read_contacts(r, root, c);
    read_escalation(r, root, c);
    read_priority_matrix(r, root, c);
    read_outbox(r, root, c);
    read_templates(r, root, c);
    read_log(r, root, c);
}

}  // namespace

using config_reading::fill_secrets_from_env;
using config_reading::Reader;
using config_reading::validate;

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
