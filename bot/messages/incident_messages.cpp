#include "bot/messages/incident_messages.h"

#include <cstdio>

#include "bot/domain/duration.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {
std::string hhmm(EpochMs t) {
    const UtcTime u = to_utc(t);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", u.hour, u.minute);
    return buf;
}

template <class... F>
struct Visit : F... {
    using F::operator()...;
};
template <class... F>
Visit(F...) -> Visit<F...>;
}  // namespace

std::vector<MessageSpec> messages_for(const Notification& n, const Config& config) {
    return std::visit(
        Visit{
            [](const Declared&) {
                // The source link is the incident's own (source_link), in every refresh too.
                nlohmann::json extra = nlohmann::json::object();
                return std::vector<MessageSpec>{{"declaration", "declaration", extra},
                                                {"announcement", "announcement", extra}};
            },
            [](const AlertsChanged& a) {
                std::string lines;
                for (const auto& l : a.lines) lines += (lines.empty() ? "" : "\n") + l;
                nlohmann::json extra = {{"alerts_source", a.source},
                                        {"alerts_firing", std::to_string(a.firing)},
                                        {"alerts_resolved", std::to_string(a.resolved)},
                                        {"alerts_lines", lines}};
                if (a.more > 0) extra["alerts_more"] = std::to_string(a.more);
                return std::vector<MessageSpec>{{"alerts", "alerts", extra}};
            },
            [](const StatusUpdated& u) {
                nlohmann::json extra = {{"change", u.change}};
                const TextAndEta parts = split_eta(u.text);
                extra["text"] = parts.text;
                if (!parts.eta.empty()) extra["eta"] = parts.eta;
                // Current actions: what the team noted since the previous update (seed 001),
                // one per line (each renderer draws its own bullets), each cut on its own so a
                // long note never crowds out the others.
                std::string actions;
                std::size_t start = 0, shown = 0;
                while (start < u.current_actions.size() && shown < 5) {
                    const auto nl = u.current_actions.find('\n', start);
                    const std::string one = u.current_actions.substr(
                        start, nl == std::string::npos ? std::string::npos : nl - start);
                    actions += (actions.empty() ? "" : "\n") + truncate_chars(one, 500);
                    ++shown;
                    if (nl == std::string::npos) break;
                    start = nl + 1;
                }
                if (!actions.empty()) extra["current_actions"] = actions;
                return std::vector<MessageSpec>{{"status_update", "status_update", extra}};
            },
            [](const Resolved& r) {
                nlohmann::json extra = {{"text", r.text}, {"actor", r.actor}};
                if (r.review_due) {
                    extra["pir_due_utc"] = format_human_utc(*r.review_due);
                    const EpochMs at = r.incident.resolved_at.value_or(r.incident.updated_at);
                    extra["review_within"] = format_duration_config(*r.review_due - at);
                }
                return std::vector<MessageSpec>{{"resolution", "resolution", extra}};
            },
            [](const Reminder& r) {
                return std::vector<MessageSpec>{
                    {"reminder",
                     "reminder",
                     {{"reminder_title", r.title}, {"reminder_text", r.text}}}};
            },
            [&config](const PageContact& p) {
                return std::vector<MessageSpec>{
                    {"page",
                     "page",
                     {{"contact_name", p.contact.name.empty() ? p.contact.key : p.contact.name},
                      {"page_reason", p.reason},
                      {"ack_within", format_duration_config(config.escalation.ack_within_ms)}}}};
            },
            [](const auto&) { return std::vector<MessageSpec>{}; },
        },
        n);
}

namespace {
std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string message_payload(const MessageSpec& spec, const Incident& inc, EpochMs at) {
    return "{\"at\":" + std::to_string(at) + ",\"extra\":" + dump(spec.extra) +
           ",\"incident\":" + incident_snapshot(inc) +
           ",\"template\":" + dump(nlohmann::json(spec.template_name)) + "}";
}

std::string with_message(const nlohmann::json& head, const std::string& message) {
    std::string out = dump(head);
    if (out.size() < 2 || out.back() != '}') throw std::logic_error("with_message: not an object");
    out.pop_back();
    if (out.size() > 1) out += ',';
    out += "\"message\":";
    out += message;
    out += '}';
    return out;
}

Message digest_message(const std::vector<nlohmann::json>& payloads) {
    Message m;
    if (!payloads.empty() && json_string(payloads.back(), "template") == "alerts") {
        // Alert updates of one incident that piled up: their lines, the latest counts.
        const auto* last = json_object(payloads.back(), "extra");
        m.title = "🔔 " + std::to_string(payloads.size()) +
                  " alert updates: " + (last ? json_string(*last, "alerts_firing") : "?") +
                  " firing, " + (last ? json_string(*last, "alerts_resolved") : "?") +
                  " resolved now";
        int lines = 0;
        for (const auto& p : payloads) {
            const auto* extra = json_object(p, "extra");
            if (!extra) continue;
            for (std::size_t at = 0, nl;
                 lines < 40 && at < json_string(*extra, "alerts_lines").size();
                 at = nl + 1, ++lines) {
                const std::string all = json_string(*extra, "alerts_lines");
                nl = all.find('\n', at);
                if (nl == std::string::npos) nl = all.size();
                m.text += (m.text.empty() ? "" : "\n") + all.substr(at, nl - at);
            }
        }
        if (lines >= 40) m.text += "\n… more on the timeline";
        m.fallback = m.title;
        return m;
    }
    m.title = "📣 " + std::to_string(payloads.size()) + " incidents declared or changed";
    for (const auto& p : payloads) {
        const auto* j = json_object(p, "incident");
        if (!j) continue;
        const Incident inc = incident_from_json(*j);
        const std::string line =
            inc.severity + " " + inc.id + ": " + inc.title + " · " + status_label(inc.status);
        m.text += (m.text.empty() ? "" : "\n") + ("• " + line);
    }
    m.fallback = m.title;
    return m;
}

IncidentMessages::IncidentMessages(const Config& config, const Templates& templates)
    : config_(config), templates_(templates) {}

nlohmann::json IncidentMessages::template_data(const Incident& inc, EpochMs now) const {
    const SeverityDef* sev = config_.severity(inc.severity);
    const EpochMs end = inc.resolved_at.value_or(now);
    nlohmann::json d = {
        {"id", inc.id},
        {"title", inc.title},
        {"drill", inc.drill},
        {"source_link", inc.source_link},
        {"severity", inc.severity},
        {"severity_name", sev ? sev->name : inc.severity},
        {"severity_description", sev ? sev->description : ""},
        {"respond_within", sev ? format_duration_config(sev->respond_within_ms) : ""},
        {"status", status_name(inc.status)},
        {"status_label", status_label(inc.status)},
        {"ic", inc.ic},
        {"tech", inc.tech},
        {"ops", inc.ops},
        {"comms", inc.comms},
        {"reporter", inc.reporter},
        {"source", inc.source},
        {"channel", inc.channel},
        {"impact", inc.impact},
        {"root_cause", inc.root_cause},
        {"declared_at_utc", format_human_utc(inc.declared_at)},
        {"now_utc", format_human_utc(now)},
        {"now_time", hhmm(now)},
        {"duration", format_duration_short(end - inc.declared_at)},
    };
    if (inc.acknowledged_at) d["acknowledged_at_utc"] = format_human_utc(*inc.acknowledged_at);
    if (inc.resolved_at) d["resolved_at_utc"] = format_human_utc(*inc.resolved_at);
    return d;
}

Message IncidentMessages::render(const std::string& template_name, const Incident& inc, EpochMs at,
                                 const nlohmann::json& extra) const {
    nlohmann::json data = template_data(inc, at);
    if (extra.is_object())
        for (auto it = extra.begin(); it != extra.end(); ++it) data[it.key()] = it.value();
    return templates_.render(template_name, data);
}

Message IncidentMessages::render(const nlohmann::json& payload) const {
    const auto* inc = json_object(payload, "incident");
    const auto* extra = json_object(payload, "extra");
    if (!inc || json_string(payload, "template").empty())
        throw std::runtime_error("the queued message names no template or incident");
    return render(json_string(payload, "template"), incident_from_json(*inc),
                  json_int(payload, "at").value_or(0), extra ? *extra : nlohmann::json::object());
}

}  // namespace muster
