#include "bot/service/alert_intake.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bot/domain/duration.h"

namespace muster {

namespace {

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string labels_json(const Labels& labels) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : labels) j[k] = v;
    return dump(j);
}

// "HighLatency {service=checkout, instance=web-1}": the summary and a few telling labels.
std::string describe(const AlertEvent& a) {
    std::string labels;
    int shown = 0;
    for (const auto& [k, v] : a.labels) {
        if (k == "alertname" || k == "severity" || shown == 3) continue;
        labels += (labels.empty() ? "" : ", ") + k + "=" + v;
        ++shown;
    }
    return a.summary + (labels.empty() ? "" : " {" + labels + "}");
}

Actor source_actor(const std::string& source, const std::string& who = "") {
    // Not a chat user: no reporter to invite or mention; the timeline says where it came from.
    return Actor{who, who.empty() ? source : who, source, "", ""};
}

TimelineEvent event(const std::string& incident_id, const std::string& source, EpochMs now,
                    std::string type, std::string text, std::string actor = "") {
    TimelineEvent e;
    e.incident_id = incident_id;
    e.at = now;
    e.type = std::move(type);
    e.actor = actor.empty() ? source : std::move(actor);
    e.source = source;
    e.text = std::move(text);
    return e;
}

// Appends `more` to `into` (a decision of the incident service folded into ours).
void merge(Effects& into, Effects&& more) {
    if (more.created) into.created = std::move(more.created);
    if (more.updated) into.updated = std::move(more.updated);
    if (more.fire) into.fire = more.fire;
    auto append = [](auto& a, auto&& b) {
        a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    };
    append(into.timeline, std::move(more.timeline));
    append(into.schedule, std::move(more.schedule));
    append(into.cancel, std::move(more.cancel));
    append(into.pages, std::move(more.pages));
    append(into.action_items, std::move(more.action_items));
    append(into.channels, std::move(more.channels));
    append(into.suffixes, std::move(more.suffixes));
    append(into.remembered, std::move(more.remembered));
    append(into.withdrawals, std::move(more.withdrawals));
    append(into.dedupe, std::move(more.dedupe));
    append(into.links, std::move(more.links));
    append(into.alerts, std::move(more.alerts));
    append(into.notifications, std::move(more.notifications));
    append(into.outbox, std::move(more.outbox));
}

Decision nothing(const std::string& source, EpochMs now) {
    Decision d;
    d.effects.source = source;
    d.effects.at = now;
    return d;
}

}  // namespace

AlertIntake::AlertIntake(const Config& config, IncidentService& incidents)
    : config_(config), incidents_(incidents) {}

const std::map<std::string, std::string>* AlertIntake::auto_declare(
    const std::string& source) const {
    if (source == "alertmanager") return &config_.alertmanager.auto_declare;
    if (source == "grafana") return &config_.grafana.auto_declare;
    return nullptr;
}

bool AlertIntake::resolves(const std::string& source) const {
    if (source == "grafana") return config_.grafana.on_resolved == "resolve";
    return config_.alertmanager.on_resolved == "resolve";
}

std::vector<std::string> AlertIntake::correlation_keys(const AlertGroup& g) const {
    std::vector<std::string> keys;
    for (const auto& label : config_.correlation.labels)
        for (const auto& a : g.alerts) {
            if (!a.firing) continue;
            const auto it = a.labels.find(label);
            if (it == a.labels.end() || it->second.empty()) continue;
            keys.push_back(label + "=" + it->second);
            break;
        }
    return keys;
}

std::string AlertIntake::severity_for(const AlertGroup& g) const {
    if (!g.severity.empty()) return config_.severity(g.severity) ? g.severity : "";
    const auto* map = auto_declare(g.source);
    if (!map) return "";
    const SeverityDef* best = nullptr;
    for (const auto& a : g.alerts) {
        if (!a.firing) continue;
        const auto it = map->find(a.severity);
        if (it == map->end()) continue;
        const SeverityDef* s = config_.severity(it->second);
        if (!s) continue;
        // Severities are configured most severe first.
        if (!best || s - config_.severities.data() < best - config_.severities.data()) best = s;
    }
    return best ? best->key : "";
}

Decision AlertIntake::on_group(const AlertGroup& g, const GroupState& st, EpochMs now) {
    // The group's alerts after this delivery, and what changed.
    std::map<std::string, StoredAlert> merged;
    for (const auto& a : st.alerts) merged[a.fingerprint] = a;
    std::vector<std::pair<bool, std::string>> changes;  // (firing, line)
    std::vector<const AlertEvent*> changed;
    for (const auto& a : g.alerts) {
        const std::string status = a.firing ? "firing" : "resolved";
        const auto it = merged.find(a.fingerprint);
        const bool known = it != merged.end();
        if (!known || it->second.status != status) {
            const std::string what = describe(a);
            changes.emplace_back(a.firing, a.firing
                                               ? (known ? "🔥 firing again: " : "🔥 firing: ") + what
                                               : "✅ resolved: " + what);
            changed.push_back(&a);
        }
        StoredAlert& s = merged[a.fingerprint];
        s.fingerprint = a.fingerprint;
        s.status = status;
        s.summary = a.summary;
        s.labels = a.labels;
    }
    int firing = 0, resolved = 0;
    for (const auto& [fp, a] : merged) (a.status == "firing" ? firing : resolved)++;

    const std::optional<IncidentState>& linked = st.incident;
    const bool open = linked && linked->incident.status != Status::resolved;
    Decision d = nothing(g.source, now);
    Effects& fx = d.effects;
    std::string incident_id;
    const Incident* inc = nullptr;

    auto record_alerts = [&](const std::string& id) {
        for (const auto& a : g.alerts)
            fx.alerts.push_back({g.source, g.group_key, a.fingerprint, id,
                                 a.firing ? "firing" : "resolved", a.summary, labels_json(a.labels),
                                 now});
    };
    auto add_timeline = [&](const std::string& id) {
        int n = 0;
        for (std::size_t i = 0; i < changes.size(); ++i) {
            if (n++ == kTimelinePerDelivery) {
                fx.timeline.push_back(event(
                    id, g.source, now, "alerts_folded",
                    std::to_string(changes.size() - i) + " more alert change(s) in this delivery"));
                break;
            }
            TimelineEvent e =
                event(id, g.source, now, changes[i].first ? "alert_firing" : "alert_resolved",
                      changes[i].second);
            e.data = dump({{"group", g.group_key},
                           {"fingerprint", changed[i]->fingerprint},
                           {"labels", nlohmann::json::parse(labels_json(changed[i]->labels))},
                           {"url", changed[i]->url}});
            fx.timeline.push_back(std::move(e));
        }
    };
    auto tell_channel = [&](const Incident& target) {
        if (changes.empty()) return;
        AlertsChanged n{target, g.source, firing, resolved, {}, 0};
        for (const auto& [is_firing, line] : changes)
            if (static_cast<int>(n.lines.size()) < kAlertLines)
                n.lines.push_back(line);
            else
                ++n.more;
        if (g.truncated > 0)
            n.lines.push_back("(" + std::to_string(g.truncated) + " more alert(s) left out by " +
                              g.source + ")");
        fx.notifications.push_back(std::move(n));
    };

    if (open) {
        // The group's incident: record, tell, and resolve once nothing fires anywhere in it.
        inc = &linked->incident;
        incident_id = inc->id;
        Incident touched = *inc;
        touched.updated_at = now;
        fx.updated =
            touched;  // one delivery at a time per incident: a concurrent one decides again
        record_alerts(incident_id);
        add_timeline(incident_id);
        tell_channel(touched);
        if (g.truncated > 0)
            fx.timeline.push_back(event(incident_id, g.source, now, "alerts_truncated",
                                        std::to_string(g.truncated) + " alert(s) left out by " +
                                            g.source + " (its max_alerts)"));
        if (firing == 0 && st.firing_elsewhere == 0 && !changes.empty()) {
            const std::string why = "All " + std::to_string(resolved) + " alert(s) of " +
                                    (g.title.empty() ? g.group_key : g.title) + " resolved";
            if (resolves(g.source)) {
                Decision r = incidents_.resolve(*linked, source_actor(g.source), why, now);
                if (r.ok()) merge(fx, std::move(r.effects));
            } else {
                fx.timeline.push_back(event(incident_id, g.source, now, "alerts_all_resolved",
                                            why + "; resolve with /incident resolve"));
            }
        }
        return d;
    }

    if (firing == 0) {  // nothing fires and nothing is open: only recorded
        record_alerts(linked ? linked->incident.id : "");
        return d;
    }

    // Firing, with no open incident of its own: join a correlated one, or declare.
    const auto expected =
        st.link ? std::optional<std::string>(st.link->incident_id) : std::optional<std::string>();
    if (st.correlated) {
        const Incident& target = st.correlated->incident;
        Incident touched = target;
        touched.updated_at = now;
        fx.updated = touched;
        fx.links.push_back({g.source, g.group_key, target.id, "{}", expected, false, now});
        fx.timeline.push_back(
            event(target.id, g.source, now, "alerts_joined",
                  "Alert group " + (g.title.empty() ? g.group_key : g.title) + " from " + g.source +
                      " joined this incident: it shares " + st.correlated_by +
                      " (correlation.labels) instead of opening an incident of its own"));
        record_alerts(target.id);
        add_timeline(target.id);
        tell_channel(touched);
        return d;
    }
    const std::string severity = severity_for(g);
    if (severity.empty()) {  // below every threshold: recorded, not declared
        record_alerts("");
        return d;
    }
    std::string title = g.title;
    if (title.empty())
        for (const auto& a : g.alerts)
            if (a.firing && !a.summary.empty()) {
                title = a.summary;
                break;
            }
    if (title.empty()) title = g.source + " alert " + g.group_key;
    Declaration decl;
    decl.severity = severity;
    decl.title = title;
    decl.link = g.link;
    Decision declared = incidents_.declare(decl, source_actor(g.source), now);
    if (!declared.ok()) return declared;
    const Incident& created = *declared.effects.created;
    incident_id = created.id;
    merge(fx, std::move(declared.effects));
    nlohmann::json data = {{"title", g.title}};
    if (!g.link.empty()) data["link"] = g.link;
    fx.links.push_back({g.source, g.group_key, incident_id, dump(data), expected, false, now});
    for (const auto& key : correlation_keys(g))
        fx.links.push_back({"correlation", key, incident_id, "{}", std::nullopt, true, now});
    record_alerts(incident_id);
    add_timeline(incident_id);
    return d;
}

Decision AlertIntake::on_action(const SourceAction& a, const IncidentState& s, EpochMs now) const {
    const Actor actor = source_actor(a.source, a.actor);
    const Incident& inc = s.incident;
    auto note = [&](const std::string& type, const std::string& text) {
        Decision d = nothing(a.source, now);
        d.effects.timeline.push_back(event(inc.id, a.source, now, type, text, a.actor));
        return d;
    };
    if (a.kind == "acknowledge") {
        if (inc.acknowledged_at || inc.status == Status::resolved) return nothing(a.source, now);
        return incidents_.acknowledge(s, actor, now);
    }
    if (a.kind == "resolve") {
        if (inc.status == Status::resolved) return nothing(a.source, now);
        return incidents_.resolve(s, actor, a.text, now);
    }
    if (a.kind == "reopen") {
        if (inc.status != Status::resolved) return nothing(a.source, now);
        return incidents_.reopen(s, actor, a.text, now);
    }
    if (a.kind == "severity") {
        if (a.severity.empty() || !config_.severity(a.severity) || a.severity == inc.severity)
            return note(a.source + "_event", a.text);
        return incidents_.change_severity(s, actor, a.severity, now);
    }
    if (a.kind == "note") return note("note", a.text);
    return note(a.source + "_event", a.text);
}

Decision AlertIntake::link_source(const SourceAction& a, const IncidentState& s,
                                  EpochMs now) const {
    Decision d = nothing(a.source, now);
    d.effects.links.push_back(
        {a.source, a.external_id, s.incident.id, "{}", std::nullopt, true, now});
    d.effects.timeline.push_back(
        event(s.incident.id, a.source, now, a.source + "_linked", a.text, a.actor));
    return d;
}

Decision AlertIntake::beat(const Config::Heartbeat& h, const HeartbeatState& st,
                           EpochMs now) const {
    Decision d = nothing("heartbeat", now);
    for (const auto& t : st.pending) d.effects.cancel.push_back(t.id);
    Timer next;
    next.kind = "heartbeat";
    next.key = h.name + "@" + std::to_string(now);
    next.due_at = now + h.interval_ms;
    next.payload = dump({{"name", h.name}});
    d.effects.schedule.push_back(next);
    if (st.incident && st.incident->incident.status != Status::resolved &&
        st.incident->incident.source == "heartbeat") {
        Decision r = incidents_.resolve(*st.incident, source_actor("heartbeat", h.name),
                                        "Heartbeat " + h.name + " is back", now);
        if (r.ok()) merge(d.effects, std::move(r.effects));
    }
    return d;
}

Decision AlertIntake::missed(const Config::Heartbeat& h, const Timer& deadline,
                             const HeartbeatState& st, EpochMs now) {
    Decision d = nothing("heartbeat", now);
    d.effects.fire = deadline.id;
    if (st.incident && st.incident->incident.status != Status::resolved) return d;
    Declaration decl;
    decl.severity = h.severity;
    decl.title =
        "Heartbeat " + h.name + " missed: no beat for " + format_duration_config(h.interval_ms);
    Decision declared = incidents_.declare(decl, source_actor("heartbeat", h.name), now);
    if (!declared.ok()) return declared;
    const std::string id = declared.effects.created->id;
    merge(d.effects, std::move(declared.effects));
    d.effects.links.push_back(
        {"heartbeat", h.name, id, "{}",
         st.link ? std::optional<std::string>(st.link->incident_id) : std::optional<std::string>(),
         false, now});
    return d;
}

}  // namespace muster
