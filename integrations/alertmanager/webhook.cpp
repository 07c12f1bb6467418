#include "integrations/alertmanager/webhook.h"

#include "bot/domain/untrusted_json.h"
#include "integrations/hmac.h"
#include "integrations/webhooks/webhooks.h"

namespace muster::alertmanager {

namespace {
constexpr std::size_t kMaxAlerts = 10'000;

// A stable identity from the labels alone (Alertmanager's own fingerprint is a hash of them).
std::string label_fingerprint(const Labels& labels) {
    std::string canonical;
    for (const auto& [k, v] : labels) canonical += k + "\x1f" + v + "\x1e";
    return "labels:" + hmac_sha256_hex("muster-alert-labels", canonical).substr(0, 32);
}

std::string pick(const Labels& a, const Labels& b, const char* key) {
    if (const auto it = a.find(key); it != a.end() && !it->second.empty()) return it->second;
    if (const auto it = b.find(key); it != b.end() && !it->second.empty()) return it->second;
    return "";
}
}  // namespace

std::variant<AlertGroup, NotificationError> read_alert_notification(const std::string& body,
                                                                    const std::string& source,
                                                                    const std::string& version,
                                                                    EpochMs now) {
    std::string error;
    const auto j = parse_untrusted_json(body, &error);
    if (!j || !j->is_object()) return NotificationError{"not a JSON object: " + error};
    if (json_string(*j, "version") != version)
        return NotificationError{"expected notification version \"" + version + "\""};
    AlertGroup g;
    g.source = source;
    g.at = now;
    g.group_key = json_string(*j, "groupKey");
    if (g.group_key.empty()) return NotificationError{"groupKey missing"};
    if (g.group_key.size() > 4096) return NotificationError{"groupKey over 4096 bytes"};
    const auto* alerts = json_array(*j, "alerts");
    if (!alerts) return NotificationError{"alerts missing"};
    if (alerts->size() > kMaxAlerts)
        return NotificationError{"more than " + std::to_string(kMaxAlerts) + " alerts"};
    g.truncated = static_cast<int>(json_int(*j, "truncatedAlerts").value_or(0));
    const Labels common = webhooks::read_labels(json_object(*j, "commonLabels"));
    const Labels common_annotations = webhooks::read_labels(json_object(*j, "commonAnnotations"));
    g.title = webhooks::one_line(json_string(*j, "title"));  // Grafana's
    if (g.title.empty()) g.title = pick(common_annotations, {}, "summary");
    if (g.title.empty()) g.title = pick(common, {}, "alertname");
    for (const auto& a : *alerts) {
        if (!a.is_object()) return NotificationError{"an alert is not an object"};
        AlertEvent e;
        const std::string status = json_string(a, "status");
        if (status != "firing" && status != "resolved")
            return NotificationError{"an alert's status is neither firing nor resolved"};
        e.firing = status == "firing";
        e.labels = webhooks::read_labels(json_object(a, "labels"));
        const Labels annotations = webhooks::read_labels(json_object(a, "annotations"));
        e.fingerprint = webhooks::one_line(json_string(a, "fingerprint"));
        if (e.fingerprint.empty()) e.fingerprint = label_fingerprint(e.labels);
        e.summary = pick(annotations, e.labels, "summary");
        if (e.summary.empty()) e.summary = pick(e.labels, {}, "alertname");
        if (e.summary.empty()) e.summary = "alert " + e.fingerprint;
        e.severity = pick(e.labels, {}, "severity");
        e.url = webhooks::one_line(json_string(a, "generatorURL"));
        g.alerts.push_back(std::move(e));
    }
    return g;
}

}  // namespace muster::alertmanager
