// The sections about incidents themselves, from the runbooks: severities, contacts, escalation
// policies, the priority matrix.
#include <regex>

#include "bot/config/config_reader.h"

namespace muster::config_reading {

namespace {
std::string upper(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

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
        for (const auto& d : renamed)
            if (d.key == k) return k;  // written with the new names already
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
    for (auto& [k, sev] : c.grafana.auto_declare) sev = rename(sev);
    for (auto& [name, h] : c.heartbeats) h.severity = rename(h.severity);
    c.severities = renamed;
}

}  // namespace

void read_severities(Reader& r, const YAML::Node& root, Config& c) {
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
}

void read_contacts(Reader& r, const YAML::Node& root, Config& c) {
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
}

void read_escalation(Reader& r, const YAML::Node& root, Config& c) {
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
}

void read_priority_matrix(Reader& r, const YAML::Node& root, Config& c) {
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
}

}  // namespace muster::config_reading
