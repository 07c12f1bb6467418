#include "bot/messages/pir.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "bot/domain/text.h"
#include "bot/messages/message.h"

#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {

std::string person(const std::string& who) {
    if (who.empty()) return "";
    if (who[0] == '@' || who.find(' ') != std::string::npos) return who;
    return "@" + who;
}

// Who decided: a person as @id, else the system that acted (muster, pagerduty, alertmanager).
std::string decision_maker(const TimelineEvent& e) {
    if (e.actor.empty()) return e.source.empty() || e.source == "slack" ? "muster" : e.source;
    static const char* systems[] = {"muster",       "system",  "pagerduty",
                                    "alertmanager", "grafana", "heartbeat"};
    for (const char* sys : systems)
        if (e.actor == sys) return e.actor;
    return person(e.actor);
}

std::string status_text(const std::optional<std::string>& v) {
    if (!v) return "";
    const auto st = parse_status(*v);
    return st ? status_label(*st) : *v;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "went-well: fast rollback" → ("went_well", "fast rollback"); untagged → ("", text).
std::pair<std::string, std::string> tagged(const std::string& text) {
    static const std::vector<std::pair<std::string, std::string>> tags = {
        {"went-well:", "went_well"},   {"went well:", "went_well"},  {"went-wrong:", "went_wrong"},
        {"went wrong:", "went_wrong"}, {"lesson:", "lesson"},        {"lessons:", "lesson"},
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
    r.who = decision_maker(e);
    const std::string& t = e.type;
    auto field_change = [&](const std::string& what) {
        r.event = what + " " + e.old_value.value_or("") + " → " + e.new_value.value_or("");
        if (e.old_value.value_or("").empty()) r.event = what + " → " + e.new_value.value_or("");
    };
    if (t == "declared") {
        r.event = "Declared";
        r.details = e.text;
    } else if (t == "status_changed") {
        r.event = "Status " + status_text(e.old_value) + " → " + status_text(e.new_value);
    } else if (t == "status_update") {
        r.event = "Status update";
        r.details = e.text;
    } else if (t == "acknowledged") {
        r.event = "Acknowledged";
    } else if (t == "resolved") {
        r.event = "Resolved";
        r.details = e.text;
    } else if (t == "declined") {
        r.event = "Declined: not an incident";
        r.details = e.text;
    } else if (t == "reopened") {
        r.event = "Reopened";
        r.details = e.text;
    } else if (t == "severity_changed") {
        field_change("Severity");
    } else if (t == "role_assigned") {
        const auto role = e.field ? parse_role(*e.field) : std::nullopt;
        r.event = (role ? std::string(role_label(*role)) : std::string("Role")) + " → " +
                  person(e.new_value.value_or(""));
        if (!e.old_value.value_or("").empty()) r.details = "was " + person(*e.old_value);
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
    } else if (t == "action_item_done" || t == "action_item_reopened") {
        const std::string field = e.field.value_or("");
        const std::string number = field.rfind("action_item_", 0) == 0 ? field.substr(12) : "";
        r.event = "Action item " + number + (t == "action_item_done" ? " done" : " reopened");
        r.details = e.text;
    } else if (t == "alert_firing" || t == "alert_resolved") {
        r.event = t == "alert_firing" ? "Alert firing" : "Alert resolved";
        r.details = e.text;
    } else {
        r.event = t;
        for (auto& c : r.event)
            if (c == '_') c = ' ';
        if (!r.event.empty())
            r.event[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(r.event[0])));
        r.details = e.field ? *e.field + ": " + e.old_value.value_or("") + " → " +
                                  e.new_value.value_or("") + (e.text.empty() ? "" : " — " + e.text)
                            : e.text;
    }
    return r;
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

PirRow pir_row(const TimelineEvent& e) {
    return row_of(e);
}

namespace {

// Everything but the timeline table, from one pass over the events.
Pir build(const IncidentState& state, std::function<void(const Pir::EventVisitor&)> each_event,
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
    p.source_link = inc.source_link;
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

    // Status phases, markers thinned to one per kind per pixel column, tagged notes.
    const EpochMs t0 = inc.declared_at, t1 = std::max(p.end, t0 + 60'000);
    constexpr std::int64_t kColumns = 920;
    std::set<std::pair<int, std::int64_t>> marked;
    auto mark = [&](PirMarker::Kind kind, EpochMs at, const std::string& label) {
        const std::int64_t col = (std::clamp(at, t0, t1) - t0) * kColumns / (t1 - t0);
        if (marked.insert({kind, col}).second) p.markers.push_back({kind, at, label});
    };
    PirPhase cur{Status::investigating, t0, p.end};
    each_event([&](const TimelineEvent& e) {
        ++p.events;
        const std::string& t = e.type;
        if (t == "declared") {
            mark(PirMarker::declared, e.at, "Declared");
        } else if (t == "page_sent") {
            mark(PirMarker::page, e.at, e.text);
        } else if (t == "acknowledged") {
            mark(PirMarker::acknowledged, e.at, "Acknowledged");
        } else if (t == "note" || t == "pinned_message") {
            mark(PirMarker::note, e.at, truncate_chars(e.text, 200));
            if (t == "note") {
                const auto [kind, text] = tagged(e.text);
                if (kind == "went_well") p.went_well.push_back(text);
                if (kind == "went_wrong") p.went_wrong.push_back(text);
                if (kind == "lesson") p.lessons.push_back(text);
            }
        } else if (t == "resolved" || t == "declined") {
            mark(PirMarker::resolved, e.at, t == "resolved" ? "Resolved" : "Declined");
        }
        std::optional<Status> to;
        if (t == "status_changed" && e.new_value) to = parse_status(*e.new_value);
        if (t == "resolved" || t == "declined") to = Status::resolved;
        if (t == "reopened") to = Status::investigating;
        if (!to || *to == cur.status || e.at < cur.from) return;
        cur.to = e.at;
        if (cur.to > cur.from) p.phases.push_back(cur);
        cur = PirPhase{*to, e.at, p.end};
    });
    cur.to = std::max(p.end, cur.from);
    if (cur.status != Status::resolved || p.phases.empty()) p.phases.push_back(cur);
    p.action_items = std::move(action_items);
    p.each_event = std::move(each_event);
    return p;
}

}  // namespace

Pir build_pir(const IncidentState& state, std::vector<TimelineEvent> timeline,
              std::vector<ActionItem> action_items, const Config& config, const TimeZone& zone,
              EpochMs now) {
    std::stable_sort(timeline.begin(), timeline.end(),
                     [](const TimelineEvent& a, const TimelineEvent& b) { return a.at < b.at; });
    auto events = std::make_shared<const std::vector<TimelineEvent>>(std::move(timeline));
    return build(
        state,
        [events](const Pir::EventVisitor& visit) {
            for (const auto& e : *events) visit(e);
        },
        std::move(action_items), config, zone, now);
}

std::optional<Pir> load_pir(IncidentReads& reads, const std::string& id, const Config& config,
                            const TimeZone& zone, EpochMs now) {
    const auto state = reads.load(id);
    if (!state) return std::nullopt;
    IncidentReads* r = &reads;
    return build(
        *state, [r, id](const Pir::EventVisitor& visit) { r->each_timeline_event(id, visit); },
        reads.action_items(id), config, zone, now);
}

std::string pir_json(const Pir& p) {
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
          {"drill", i.drill},
          {"declined", i.declined},
          {"source", i.source},
          {"source_link", p.source_link},
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
    for (const auto& [role, who] : p.people)
        doc["people"].push_back({{"role", role}, {"who", who}});
    doc["timeline"] = nlohmann::json::array();
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
    // The document with an empty timeline, then the entries spliced in one at a time, laid out
    // exactly as the whole document pretty-printed would be (entries 4 spaces in).
    std::string out = dump_json(doc, 2) + "\n";
    const std::string slot = "\"timeline\": []";
    const auto where = out.find(slot);
    if (where == std::string::npos || p.events == 0 || !p.each_event) return out;
    // Each entry written as nlohmann would pretty-print it (keys in order), without building a
    // JSON value per event (tests/golden/pir.json holds the layout).
    auto str = [](const std::string& s) {
        std::string out;
        nlohmann::detail::serializer<nlohmann::json> ser(
            nlohmann::detail::output_adapter<char>(out), ' ',
            nlohmann::json::error_handler_t::replace);
        ser.dump(nlohmann::json(s), false, false, 0);
        return out;
    };
    auto opt = [&](const std::optional<std::string>& v) { return v ? str(*v) : "null"; };
    std::string entries = "\"timeline\": [\n";
    bool first = true;
    p.each_event([&](const TimelineEvent& e) {
        const PirRow r = row_of(e);
        if (!first) entries += ",\n";
        first = false;
        entries += "    {\n      \"at\": {\n        \"local\": " + str(p.zone.date_time(e.at)) +
                   ",\n        \"utc\": " + str(format_rfc3339(e.at)) +
                   "\n      },\n      \"decision_maker\": " + str(r.who) +
                   ",\n      \"details\": " + str(r.details) +
                   ",\n      \"event\": " + str(r.event) + ",\n";
        if (e.field)
            entries += "      \"field\": " + str(*e.field) +
                       ",\n      \"new\": " + opt(e.new_value) +
                       ",\n      \"old\": " + opt(e.old_value) + ",\n";
        entries += "      \"type\": " + str(e.type) + "\n    }";
    });
    entries += "\n  ]";
    out.replace(where, slot.size(), entries);
    return out;
}

}  // namespace muster
