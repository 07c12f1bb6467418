#include "bot/domain/incident_json.h"

#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {
nlohmann::json opt(const std::optional<EpochMs>& t) {
    return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}
std::optional<EpochMs> opt_ms(const nlohmann::json& j, const char* key) {
    return json_int(j, key);
}
}  // namespace

nlohmann::json incident_to_json(const Incident& i) {
    return {{"id", i.id},
            {"title", i.title},
            {"severity", i.severity},
            {"status", status_name(i.status)},
            {"ic", i.ic},
            {"tech", i.tech},
            {"ops", i.ops},
            {"comms", i.comms},
            {"reporter", i.reporter},
            {"source", i.source},
            {"origin_channel", i.origin_channel},
            {"channel", i.channel},
            {"impact", i.impact},
            {"root_cause", i.root_cause},
            {"impact_level", i.impact_level},
            {"urgency_level", i.urgency_level},
            {"declared_at", i.declared_at},
            {"acknowledged_at", opt(i.acknowledged_at)},
            {"acknowledged_by", i.acknowledged_by},
            {"mitigated_at", opt(i.mitigated_at)},
            {"resolved_at", opt(i.resolved_at)},
            {"updated_at", i.updated_at},
            {"version", i.version},
            {"drill", i.drill},
            {"declined", i.declined},
            {"source_link", i.source_link}};
}

std::string incident_snapshot(const Incident& i) {
    thread_local Incident last;
    thread_local std::string text;
    if (!text.empty() && i == last) return text;
    nlohmann::json j = nlohmann::json::object();
    auto put = [&j](const char* key, const std::string& v) {
        if (!v.empty()) j[key] = v;
    };
    auto put_time = [&j](const char* key, const std::optional<EpochMs>& v) {
        if (v) j[key] = *v;
    };
    put("id", i.id);
    put("title", i.title);
    put("severity", i.severity);
    j["status"] = status_name(i.status);
    put("ic", i.ic);
    put("tech", i.tech);
    put("ops", i.ops);
    put("comms", i.comms);
    put("reporter", i.reporter);
    put("source", i.source);
    put("origin_channel", i.origin_channel);
    put("channel", i.channel);
    put("impact", i.impact);
    put("root_cause", i.root_cause);
    put("impact_level", i.impact_level);
    put("urgency_level", i.urgency_level);
    j["declared_at"] = i.declared_at;
    put_time("acknowledged_at", i.acknowledged_at);
    put("acknowledged_by", i.acknowledged_by);
    put_time("mitigated_at", i.mitigated_at);
    put_time("resolved_at", i.resolved_at);
    j["updated_at"] = i.updated_at;
    j["version"] = i.version;
    if (i.drill) j["drill"] = true;
    if (i.declined) j["declined"] = true;
    put("source_link", i.source_link);
    text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    last = i;
    return text;
}

Incident incident_from_json(const nlohmann::json& j) {
    Incident i;
    i.id = json_string(j, "id");
    i.title = json_string(j, "title");
    i.severity = json_string(j, "severity");
    i.status = parse_status(json_string(j, "status")).value_or(Status::investigating);
    i.ic = json_string(j, "ic");
    i.tech = json_string(j, "tech");
    i.ops = json_string(j, "ops");
    i.comms = json_string(j, "comms");
    i.reporter = json_string(j, "reporter");
    i.source = json_string(j, "source");
    i.origin_channel = json_string(j, "origin_channel");
    i.channel = json_string(j, "channel");
    i.impact = json_string(j, "impact");
    i.root_cause = json_string(j, "root_cause");
    i.impact_level = json_string(j, "impact_level");
    i.urgency_level = json_string(j, "urgency_level");
    i.declared_at = json_int(j, "declared_at").value_or(0);
    i.acknowledged_at = opt_ms(j, "acknowledged_at");
    i.acknowledged_by = json_string(j, "acknowledged_by");
    i.mitigated_at = opt_ms(j, "mitigated_at");
    i.resolved_at = opt_ms(j, "resolved_at");
    i.updated_at = json_int(j, "updated_at").value_or(0);
    i.version = json_int(j, "version").value_or(0);
    i.drill = json_bool(j, "drill", false);
    i.declined = json_bool(j, "declined", false);
    i.source_link = json_string(j, "source_link");
    return i;
}

}  // namespace muster
