#include "bot/messages/incident_export.h"

namespace muster {

namespace {
nlohmann::json time_or_null(const std::optional<EpochMs>& t) {
    return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}
nlohmann::json str_or_null(const std::optional<std::string>& s) {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json incident_json(const Incident& i) {
    nlohmann::json j = {
        {"id", i.id},
        {"title", i.title},
        {"severity", i.severity},
        {"status", status_name(i.status)},
        {"roles", {{"ic", i.ic}, {"tech", i.tech}, {"ops", i.ops}, {"comms", i.comms}}},
        {"reporter", i.reporter},
        {"source", i.source},
        {"origin_channel", i.origin_channel},
        {"channel", i.channel},
        {"impact", i.impact},
        {"root_cause", i.root_cause},
        {"declared_at", format_rfc3339(i.declared_at)},
        {"acknowledged_at", time_or_null(i.acknowledged_at)},
        {"acknowledged_by", i.acknowledged_by},
        {"mitigated_at", time_or_null(i.mitigated_at)},
        {"resolved_at", time_or_null(i.resolved_at)},
        {"updated_at", format_rfc3339(i.updated_at)},
        {"drill", i.drill},
        {"declined", i.declined},
        {"source_link", i.source_link},
        {"duration_seconds",
         ((i.resolved_at ? *i.resolved_at : i.updated_at) - i.declared_at) / 1000},
    };
    if (!i.impact_level.empty())
        j["priority_inputs"] = {{"impact", i.impact_level}, {"urgency", i.urgency_level}};
    return j;
}

nlohmann::json timeline_json(const std::vector<TimelineEvent>& events) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) {
        nlohmann::json je = {{"id", e.id},     {"at", format_rfc3339(e.at)}, {"at_ms", e.at},
                             {"type", e.type}, {"actor", e.actor},           {"source", e.source},
                             {"text", e.text}};
        if (e.field) {
            je["field"] = *e.field;
            je["old"] = str_or_null(e.old_value);
            je["new"] = str_or_null(e.new_value);
        }
        if (e.data) {
            const auto data = nlohmann::json::parse(*e.data, nullptr, false);
            je["data"] = data.is_discarded() ? nlohmann::json(*e.data) : data;
        }
        out.push_back(std::move(je));
    }
    return out;
}

nlohmann::json action_items_json(const std::vector<ActionItem>& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : items)
        out.push_back({{"id", a.id},
                       {"number", a.number},
                       {"text", a.text},
                       {"owner", a.owner},
                       {"due", str_or_null(a.due)},
                       {"status", a.status},
                       {"done_at", a.done_at ? nlohmann::json(format_rfc3339(*a.done_at))
                                             : nlohmann::json(nullptr)},
                       {"created_at", format_rfc3339(a.created_at)},
                       {"created_by", a.created_by}});
    return out;
}

std::optional<nlohmann::json> export_incident(IncidentReads& reads, const std::string& id) {
    const auto state = reads.load(id);
    if (!state) return std::nullopt;
    return nlohmann::json{{"format", "muster.incident.v1"},
                          {"incident", incident_json(state->incident)},
                          {"timeline", timeline_json(reads.timeline(id))},
                          {"action_items", action_items_json(reads.action_items(id))}};
}

}  // namespace muster
