// The alert-intake reads of the SQLite adapter (AlertReads): links, alerts by group, timers of
// no incident. Read connections, statements prepared once, every query on an index.
#include "bot/domain/untrusted_json.h"
#include "storage/sql.h"
#include "storage/sqlite_impl.h"

namespace muster {

namespace {
IncidentLink read_link(SQLite::Statement& q) {
    IncidentLink l;
    l.source = q.getColumn(0).getString();
    l.external_id = q.getColumn(1).getString();
    l.incident_id = q.getColumn(2).getString();
    l.data = q.getColumn(3).getString();
    l.at = q.getColumn(4).getInt64();
    return l;
}
}  // namespace

std::optional<IncidentLink> SqliteStorage::link(const std::string& source,
                                                const std::string& external_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kLink);
    q.bind(1, source);
    q.bind(2, external_id);
    if (!q.executeStep()) return std::nullopt;
    return read_link(q);
}

std::vector<IncidentLink> SqliteStorage::links_of(const std::string& incident_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kLinksOfIncident);
    q.bind(1, incident_id);
    std::vector<IncidentLink> out;
    while (q.executeStep()) out.push_back(read_link(q));
    return out;
}

std::vector<StoredAlert> SqliteStorage::alerts(const std::string& source,
                                               const std::string& group_key) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kAlertsOfGroup);
    q.bind(1, source);
    q.bind(2, group_key);
    std::vector<StoredAlert> out;
    while (q.executeStep()) {
        StoredAlert a;
        a.fingerprint = q.getColumn(0).getString();
        a.status = q.getColumn(1).getString();
        a.summary = q.getColumn(2).getString();
        a.incident_id = q.getColumn(3).getString();
        if (const auto j = parse_untrusted_json(q.getColumn(4).getString()); j && j->is_object())
            for (auto it = j->begin(); it != j->end(); ++it)
                if (it->is_string()) a.labels[it.key()] = it->get<std::string>();
        a.first_seen = q.getColumn(5).getInt64();
        a.last_seen = q.getColumn(6).getInt64();
        out.push_back(std::move(a));
    }
    return out;
}

int SqliteStorage::firing_alerts(const std::string& incident_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kFiringAlertsOfIncident);
    q.bind(1, incident_id);
    return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

std::vector<Timer> SqliteStorage::unbound_timers(const std::string& kind,
                                                 const std::string& key_prefix) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kUnboundTimers);
    q.bind(1, kind);
    q.bind(2, key_prefix);
    // The smallest string above every one with this prefix.
    q.bind(3, key_prefix + "\xff");
    std::vector<Timer> out;
    while (q.executeStep()) out.push_back(read_timer(q));
    return out;
}

}  // namespace muster
