#include "integrations/pagerduty/webhooks.h"

#include <cctype>

#include "bot/domain/clock.h"
#include "bot/domain/untrusted_json.h"
#include "integrations/hmac.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::pagerduty {

namespace {

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

bool is_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "Tenex Engineer" from an agent or user reference; "PagerDuty" when there is none.
std::string who(const nlohmann::json* ref) {
    if (!ref) return "PagerDuty";
    const std::string s = webhooks::one_line(json_string(*ref, "summary"));
    return s.empty() ? "PagerDuty" : s;
}

std::string names(const nlohmann::json* list) {
    std::string out;
    if (!list || !list->is_array()) return out;
    for (const auto& r : *list) {
        const std::string n = webhooks::one_line(json_string(r, "summary"));
        if (!n.empty()) out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

// The severity a PagerDuty incident maps to: its priority when that names one of ours, else its
// urgency through pagerduty.auto_declare.
std::string severity_of(const Config& config, const nlohmann::json& inc) {
    const auto* priority = json_object(inc, "priority");
    if (priority)
        if (const SeverityDef* s = config.severity(json_string(*priority, "summary")))
            return s->key;
    const auto it = config.pagerduty.auto_declare.find(json_string(inc, "urgency"));
    if (it != config.pagerduty.auto_declare.end())
        if (const SeverityDef* s = config.severity(it->second)) return s->key;
    return "";
}

EpochMs occurred(const nlohmann::json& ev, EpochMs now) {
    const auto t = parse_rfc3339_ms(json_string(ev, "occurred_at"));
    return t ? *t : now;
}

}  // namespace

std::string signature(const std::string& secret, const std::string& body) {
    return "v1=" + hmac_sha256_hex(secret, body);
}

WebhookSignature check_signature(const std::vector<std::string>& secrets, const std::string& header,
                                 const std::string& body) {
    if (trim(header).empty()) return WebhookSignature::missing;
    std::vector<std::string> v1;
    std::size_t start = 0;
    while (start <= header.size()) {
        const auto comma = header.find(',', start);
        const std::string entry = trim(
            header.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (entry.rfind("v1=", 0) == 0) {
            const std::string hex = lower(entry.substr(3));
            if (!is_hex64(hex)) return WebhookSignature::malformed;
            v1.push_back(hex);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (v1.empty()) return WebhookSignature::malformed;
    bool match = false;
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        const std::string expected = hmac_sha256_hex(secret, body);
        // Every entry is compared, in constant time each, whatever matched before.
        for (const auto& sig : v1) match = constant_time_equals(expected, sig) || match;
    }
    return match ? WebhookSignature::ok : WebhookSignature::mismatch;
}

std::variant<WebhookEvent, WebhookError> read_webhook(const Config& config, const std::string& body,
                                                      EpochMs now) {
    std::string error;
    const auto j = parse_untrusted_json(body, &error);
    if (!j) return WebhookError{"not JSON: " + error};
    const auto* ev = json_object(*j, "event");
    if (!ev) return WebhookError{"no event object"};
    WebhookEvent out;
    out.id = json_string(*ev, "id");
    out.type = json_string(*ev, "event_type");
    if (out.id.empty() || out.type.empty()) return WebhookError{"event.id or event_type missing"};
    if (out.id.size() > 200) return WebhookError{"event.id is longer than 200 characters"};
    if (out.type == "pagey.ping" || out.type.rfind("incident.", 0) != 0) return out;
    const auto* data = json_object(*ev, "data");
    if (!data) return WebhookError{"an incident event without data"};
    // Incident events carry the incident as data; notes, responders and status updates carry
    // a reference to it.
    const auto* ref = json_object(*data, "incident");
    const nlohmann::json& inc = ref ? *ref : *data;
    out.pagerduty_incident = webhooks::one_line(json_string(inc, "id"));
    if (out.pagerduty_incident.empty()) return WebhookError{"the incident has no id"};
    const std::string actor = who(json_object(*ev, "agent"));
    const EpochMs at = occurred(*ev, now);
    const std::string number =
        json_int(inc, "number") ? "#" + std::to_string(*json_int(inc, "number")) : "";
    const std::string url = webhooks::one_line(json_string(inc, "html_url"));
    SourceAction a;
    a.source = "pagerduty";
    a.external_id = out.pagerduty_incident;
    a.actor = actor;
    a.at = at;
    const std::string& t = out.type;
    if (t == "incident.triggered") {
        const std::string key = json_string(inc, "incident_key");
        if (key.rfind("muster:", 0) == 0) {
            // A page Muster sent (dedup_key muster:<incident>:<contact>): the same incident.
            const auto end = key.find(':', 7);
            out.own_incident =
                key.substr(7, end == std::string::npos ? std::string::npos : end - 7);
            a.kind = "link";
            a.text = "PagerDuty opened " + number + " for Muster's page" +
                     (url.empty() ? "" : ": " + url);
            out.action = a;
            return out;
        }
        AlertGroup g;
        g.source = "pagerduty";
        g.group_key = out.pagerduty_incident;
        g.title = webhooks::one_line(json_string(inc, "title"));
        g.severity = severity_of(config, inc);
        g.link = "PagerDuty " + number + (url.empty() ? "" : " " + url);
        g.at = at;
        AlertEvent e;
        e.fingerprint = out.pagerduty_incident;
        e.firing = true;
        e.summary = g.title;
        e.severity = json_string(inc, "urgency");
        e.url = url;
        if (const auto* svc = json_object(inc, "service")) {
            e.labels["service"] = webhooks::one_line(json_string(*svc, "summary"));
            e.labels["pagerduty_service"] = webhooks::one_line(json_string(*svc, "id"));
        }
        g.alerts.push_back(std::move(e));
        out.opened = std::move(g);
        return out;
    }
    if (t == "incident.acknowledged") {
        a.kind = "acknowledge";
    } else if (t == "incident.resolved") {
        a.kind = "resolve";
        const std::string reason = webhooks::one_line(json_string(inc, "resolve_reason"));
        a.text = "Resolved in PagerDuty by " + actor + (reason.empty() ? "" : ": " + reason);
    } else if (t == "incident.reopened") {
        a.kind = "reopen";
        a.text = "Reopened in PagerDuty by " + actor;
    } else if (t == "incident.priority_updated") {
        a.kind = "severity";
        const auto* priority = json_object(inc, "priority");
        const std::string p = priority ? webhooks::one_line(json_string(*priority, "summary")) : "";
        if (const SeverityDef* s = config.severity(p)) a.severity = s->key;
        a.text =
            "PagerDuty priority set to " + (p.empty() ? std::string("none") : p) + " by " + actor;
    } else if (t == "incident.unacknowledged") {
        a.kind = "event";
        a.text = "PagerDuty: unacknowledged (the acknowledgement timed out or was undone)";
    } else if (t == "incident.escalated" || t == "incident.reassigned") {
        a.kind = "event";
        const std::string to = names(json_array(inc, "assignees"));
        a.text = std::string("PagerDuty ") +
                 (t == "incident.escalated" ? "escalated" : "reassigned") + " it" +
                 (to.empty() ? "" : " to " + to) + " (" + actor + ")";
    } else if (t == "incident.delegated") {
        a.kind = "event";
        const auto* ep = json_object(inc, "escalation_policy");
        a.text = "PagerDuty delegated it to escalation policy " +
                 (ep ? who(ep) : std::string("?")) + " (" + actor + ")";
    } else if (t == "incident.annotated") {
        a.kind = "note";
        a.text = "PagerDuty note by " + actor + ": " +
                 webhooks::several_lines(json_string(*data, "content"));
    } else if (t == "incident.status_update_published") {
        a.kind = "event";
        a.text = "PagerDuty status update by " + actor + ": " +
                 webhooks::several_lines(json_string(*data, "message"));
    } else if (t == "incident.responder.added" || t == "incident.responder.replied") {
        a.kind = "event";
        const std::string user = who(json_object(*data, "user"));
        const std::string msg = webhooks::several_lines(json_string(*data, "message"));
        a.text = t == "incident.responder.added"
                     ? "PagerDuty: " + user + " asked to respond" + (msg.empty() ? "" : ": " + msg)
                     : "PagerDuty: " + user + " replied (" +
                           webhooks::one_line(json_string(*data, "state")) + ")";
    } else {
        a.kind = "event";
        a.text = "PagerDuty " + webhooks::one_line(t) + " by " + actor;
    }
    out.action = a;
    return out;
}

}  // namespace muster::pagerduty
