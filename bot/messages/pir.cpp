#include "bot/messages/pir.h"

#include <algorithm>
#include <cctype>

#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {

std::string person(const std::string& who) {
    if (who.empty()) return "";
    if (who[0] == '@' || who.find(' ') != std::string::npos) return who;
    return "@" + who;
}

std::string decision_maker(const TimelineEvent& e) {
    if (e.actor.empty()) return e.source.empty() ? "muster" : e.source;
    if (e.source == "slack" || e.source == "teams" || e.source == "cli") return person(e.actor);
    return e.actor;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "went-well: fast rollback" → ("went_well", "fast rollback"); untagged → ("", text).
std::pair<std::string, std::string> tagged(const std::string& text) {
    static const std::vector<std::pair<std::string, std::string>> tags = {
        {"went-well:", "went_well"},   {"went well:", "went_well"},
        {"went-wrong:", "went_wrong"}, {"went wrong:", "went_wrong"},
        {"lesson:", "lesson"},         {"lessons:", "lesson"},
        {"learned:", "lesson"},        {"lesson-learned:", "lesson"}};
    const std::string l = lower(text.substr(0, 20));
    for (const auto& [tag, kind] : tags)
        if (l.rfind(tag, 0) == 0) {
            std::string rest = text.substr(tag.size());
            while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            return {kind, rest};
        }
    return {"", text};
}

PirRow row_of(const TimelineEvent& e) {
    PirRow r;
    r.at = e.at;
    r.type = e.type;
    r.who = decision_maker(e);
    r.source = &e;
    const std::string& t = e.type;
    auto field_change = [&](const std::string& what) {
        r.event = what + " " + e.old_value.value_or("") + " → " + e.new_value.value_or("");
        if (e.old_value.value_or("").empty()) r.event = what + " → " + e.new_value.value_or("");
    };
    if (t == "declared") {
        r.event = "Declared";
        r.details = e.text;
    } else if (t == "status_changed") {
        field_change("Status");
    } else if (t == "status_update") {
        r.event = "Status update";
        r.details = e.text;
    } else if (t == "acknowledged") {
        r.event = "Acknowledged";
    } else if (t == "resolved") {
        r.event = "Resolved";
        r.details = e.text;
    } else if (t == "reopened") {
        r.event = "Reopened";
        r.details = e.text;
    } else if (t == "severity_changed") {
        field_change("Severity");
    } else if (t == "role_assigned") {
        field_change(e.field ? "Role " + *e.field : std::string("Role"));
    } else if (t == "impact_set") {
        r.event = "Impact";
        r.details = e.text.empty() ? e.new_value.value_or("") : e.text;
    } else if (t == "root_cause_set") {
        r.event = "Root cause";
        r.details = e.text.empty() ? e.new_value.value_or("") : e.text;
    } else if (t == "note") {
        r.event = "Note";
        r.details = e.text;
    } else if (t == "pinned_message") {
        r.event = "Pinned message";
        r.details = e.text;
    } else if (t == "page_sent") {
        r.event = "Paged";
        r.details = e.text;
    } else if (t == "channel_created") {
        r.event = "Channel";
        r.details = e.new_value.value_or(e.text);
    } else if (t == "action_item_added") {
        r.event = "Action item";
        r.details = e.text;
    } else if (t == "alert_firing" || t == "alert_resolved") {
        r.event = t == "alert_firing" ? "Alert firing" : "Alert resolved";
        r.details = e.text;
    } else {
        r.event = t;
        for (auto& c : r.event)
            if (c == '_') c = ' ';
        if (!r.event.empty()) r.event[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(r.event[0])));
        r.details = e.field ? *e.field + ": " + e.old_value.value_or("") + " → " +
                                  e.new_value.value_or("") + (e.text.empty() ? "" : " — " + e.text)
                            : e.text;
    }
    return r;
}

// Status phases from the declaration to the end, from the status changes on the timeline.
std::vector<PirPhase> phases_of(const Incident& inc, const std::vector<TimelineEvent>& events,
                                EpochMs end) {
    std::vector<PirPhase> out;
    PirPhase cur{Status::investigating, inc.declared_at, end};
    for (const auto& e : events) {
        std::optional<Status> to;
        if (e.type == "status_changed" && e.new_value) to = parse_status(*e.new_value);
        if (e.type == "resolved") to = Status::resolved;
        if (e.type == "reopened") to = Status::investigating;
        if (!to || *to == cur.status || e.at < cur.from) continue;
        cur.to = e.at;
        if (cur.to > cur.from) out.push_back(cur);
        cur = PirPhase{*to, e.at, end};
    }
    cur.to = std::max(end, cur.from);
    if (cur.status != Status::resolved || out.empty()) out.push_back(cur);
    return out;
}

}  // namespace

std::string pir_duration(const std::optional<EpochMs>& ms) {
    if (!ms) return "—";
    std::int64_t s = std::max<EpochMs>(0, *ms) / 1000;
    const std::int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    s %= 60;
    char buf[64];
    if (d > 0)
        std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", static_cast<long long>(d),
                      static_cast<long long>(h), static_cast<long long>(m));
    else if (h > 0)
        std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(s));
    else
        std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(m),
                      static_cast<long long>(s));
    return buf;
}

Pir build_pir(const IncidentState& state, std::vector<TimelineEvent> timeline,
              std::vector<ActionItem> action_items, const Config& config, const TimeZone& zone,
              EpochMs now) {
    Pir p;
    const Incident& inc = state.incident;
    p.incident = inc;
    p.zone = zone;
    p.generated_at = now;
    const SeverityDef* sev = config.severity(inc.severity);
    p.severity_name = sev ? sev->name : inc.severity;
    p.end = inc.resolved_at.value_or(now);
    auto since_declared = [&](const std::optional<EpochMs>& t) -> std::optional<EpochMs> {
        if (!t) return std::nullopt;
        return *t - inc.declared_at;
    };
    p.time_to_acknowledge = since_declared(inc.acknowledged_at);
    p.time_to_mitigate = since_declared(inc.mitigated_at);
    p.time_to_resolve = since_declared(inc.resolved_at);
    p.pages_sent = static_cast<int>(state.pages.size());
    for (const auto& pg : state.pages) p.highest_level = std::max(p.highest_level, pg.level);
    for (const auto& [role, who] : std::vector<std::pair<std::string, std::string>>{
             {"Incident Commander", inc.ic},
             {"Tech Lead", inc.tech},
             {"Ops Lead", inc.ops},
             {"Comms Lead", inc.comms},
             {"Reported by", inc.reporter.empty() ? inc.source : person(inc.reporter)},
             {"Acknowledged by", inc.acknowledged_by}})
        if (!who.empty()) p.people.emplace_back(role, role == "Reported by" ? who : person(who));
    std::stable_sort(timeline.begin(), timeline.end(),
                     [](const TimelineEvent& a, const TimelineEvent& b) { return a.at < b.at; });
    p.events = std::move(timeline);
    p.rows.reserve(p.events.size());
    for (const auto& e : p.events) {
        p.rows.push_back(row_of(e));
        if (e.type != "note") continue;
        const auto [kind, text] = tagged(e.text);
        if (kind == "went_well") p.went_well.push_back(text);
        if (kind == "went_wrong") p.went_wrong.push_back(text);
        if (kind == "lesson") p.lessons.push_back(text);
    }
    p.phases = phases_of(inc, p.events, p.end);
    p.action_items = std::move(action_items);
    return p;
}

std::optional<Pir> load_pir(IncidentReads& reads, const std::string& id, const Config& config,
                            const TimeZone& zone, EpochMs now) {
    const auto state = reads.load(id);
    if (!state) return std::nullopt;
    return build_pir(*state, reads.timeline(id), reads.action_items(id), config, zone, now);
}

nlohmann::json pir_json(const Pir& p) {
    const Incident& i = p.incident;
    auto at = [&](EpochMs t) {
        return nlohmann::json({{"utc", format_rfc3339(t)}, {"local", p.zone.date_time(t)}});
    };
    auto opt_at = [&](const std::optional<EpochMs>& t) {
        return t ? at(*t) : nlohmann::json(nullptr);
    };
    auto seconds = [](const std::optional<EpochMs>& ms) {
        return ms ? nlohmann::json(*ms / 1000) : nlohmann::json(nullptr);
    };
    nlohmann::json doc = {
        {"format", "muster.pir.v1"},
        {"generated_at", format_rfc3339(p.generated_at)},
        {"timezone", p.zone.name()},
        {"incident",
         {{"id", i.id},
          {"title", i.title},
          {"severity", i.severity},
          {"severity_name", p.severity_name},
          {"status", status_name(i.status)},
          {"source", i.source},
          {"channel", i.channel},
          {"impact", i.impact},
          {"root_cause", i.root_cause},
          {"declared_at", at(i.declared_at)},
          {"acknowledged_at", opt_at(i.acknowledged_at)},
          {"mitigated_at", opt_at(i.mitigated_at)},
          {"resolved_at", opt_at(i.resolved_at)},
          {"duration_seconds", (p.end - i.declared_at) / 1000}}},
        {"metrics",
         {{"time_to_acknowledge_seconds", seconds(p.time_to_acknowledge)},
          {"time_to_mitigate_seconds", seconds(p.time_to_mitigate)},
          {"time_to_resolve_seconds", seconds(p.time_to_resolve)},
          {"pages_sent", p.pages_sent},
          {"highest_escalation_level", p.highest_level}}},
    };
    doc["people"] = nlohmann::json::array();
    for (const auto& [role, who] : p.people) doc["people"].push_back({{"role", role}, {"who", who}});
    doc["timeline"] = nlohmann::json::array();
    for (const auto& r : p.rows) {
        nlohmann::json je = {{"at", at(r.at)},      {"type", r.type},       {"event", r.event},
                             {"details", r.details}, {"decision_maker", r.who}};
        if (r.source && r.source->field) {
            je["field"] = *r.source->field;
            je["old"] = r.source->old_value ? nlohmann::json(*r.source->old_value) : nullptr;
            je["new"] = r.source->new_value ? nlohmann::json(*r.source->new_value) : nullptr;
        }
        doc["timeline"].push_back(std::move(je));
    }
    doc["went_well"] = p.went_well;
    doc["went_wrong"] = p.went_wrong;
    doc["lessons_learned"] = p.lessons;
    doc["action_items"] = nlohmann::json::array();
    for (const auto& a : p.action_items)
        doc["action_items"].push_back({{"number", a.number},
                                       {"text", a.text},
                                       {"owner", a.owner},
                                       {"due", a.due ? nlohmann::json(*a.due) : nullptr},
                                       {"status", a.status}});
    return doc;
}

}  // namespace muster
