// Reading Muster's YAML configuration (bot/config only): the walker that fills a Config and
// collects every error with its file, line and key path, and one reader per top-level section.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/duration.h"

namespace muster::config_reading {

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

// One reader per top-level section, in the file's own words.
void read_server(Reader& r, const YAML::Node& root, Config& c);
void read_storage(Reader& r, const YAML::Node& root, Config& c);
void read_retention(Reader& r, const YAML::Node& root, Config& c);
void read_reports(Reader& r, const YAML::Node& root, Config& c);
void read_chat(Reader& r, const YAML::Node& root, Config& c);
void read_slack(Reader& r, const YAML::Node& root, Config& c);
void read_teams(Reader& r, const YAML::Node& root, Config& c);
void read_pagerduty(Reader& r, const YAML::Node& root, Config& c);
void read_alertmanager(Reader& r, const YAML::Node& root, Config& c);
void read_grafana(Reader& r, const YAML::Node& root, Config& c);
void read_correlation(Reader& r, const YAML::Node& root, Config& c);
void read_heartbeats(Reader& r, const YAML::Node& root, Config& c);
void read_severities(Reader& r, const YAML::Node& root, Config& c);
void read_contacts(Reader& r, const YAML::Node& root, Config& c);
void read_escalation(Reader& r, const YAML::Node& root, Config& c);
void read_priority_matrix(Reader& r, const YAML::Node& root, Config& c);
void read_outbox(Reader& r, const YAML::Node& root, Config& c);
void read_templates(Reader& r, const YAML::Node& root, Config& c);
void read_log(Reader& r, const YAML::Node& root, Config& c);

// Cross-references that only make sense once the whole file is read.
void validate(const Config& c, const std::string& file, std::vector<ConfigError>& errors);
// Every secret can also come from the environment, for files kept secret-free.
void fill_secrets_from_env(Config& c, const EnvLookup& env);

}  // namespace muster::config_reading
