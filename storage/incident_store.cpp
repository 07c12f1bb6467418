#include "storage/incident_store.h"

#include <SQLiteCpp/Statement.h>

#include "bot/incident_id.h"

namespace muster {

namespace {

void bind_opt(SQLite::Statement& st, int idx, const std::optional<EpochMs>& v) {
    if (v)
        st.bind(idx, static_cast<int64_t>(*v));
    else
        st.bind(idx);
}

void bind_opt(SQLite::Statement& st, int idx, const std::optional<std::string>& v) {
    if (v)
        st.bind(idx, *v);
    else
        st.bind(idx);
}

std::optional<EpochMs> opt_ms(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}

std::optional<std::string> opt_str(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}

const char* kIncidentColumns =
    "id, title, severity, status, ic, tech, ops, comms, reporter, source, origin_channel, channel, "
    "impact, root_cause, impact_level, urgency_level, declared_at, acknowledged_at, "
    "acknowledged_by, mitigated_at, resolved_at, updated_at";

Incident read_incident(SQLite::Statement& q) {
    Incident i;
    int c = 0;
    i.id = q.getColumn(c++).getString();
    i.title = q.getColumn(c++).getString();
    i.severity = q.getColumn(c++).getString();
    i.status = parse_status(q.getColumn(c++).getString()).value_or(Status::investigating);
    i.ic = q.getColumn(c++).getString();
    i.tech = q.getColumn(c++).getString();
    i.ops = q.getColumn(c++).getString();
    i.comms = q.getColumn(c++).getString();
    i.reporter = q.getColumn(c++).getString();
    i.source = q.getColumn(c++).getString();
    i.origin_channel = q.getColumn(c++).getString();
    i.channel = q.getColumn(c++).getString();
    i.impact = q.getColumn(c++).getString();
    i.root_cause = q.getColumn(c++).getString();
    i.impact_level = q.getColumn(c++).getString();
    i.urgency_level = q.getColumn(c++).getString();
    i.declared_at = q.getColumn(c++).getInt64();
    i.acknowledged_at = opt_ms(q.getColumn(c++));
    i.acknowledged_by = q.getColumn(c++).getString();
    i.mitigated_at = opt_ms(q.getColumn(c++));
    i.resolved_at = opt_ms(q.getColumn(c++));
    i.updated_at = q.getColumn(c++).getInt64();
    return i;
}

}  // namespace

std::int64_t next_incident_seq(SQLite::Database& db, const std::string& day) {
    SQLite::Statement up(db,
                         "INSERT INTO id_sequences (day, last_seq) VALUES (?, 1) "
                         "ON CONFLICT (day) DO UPDATE SET last_seq = last_seq + 1 "
                         "RETURNING last_seq");
    up.bind(1, day);
    if (!up.executeStep()) throw std::runtime_error("id sequence did not advance");
    return up.getColumn(0).getInt64();
}

void insert_incident(SQLite::Database& db, const Incident& i) {
    const std::string day = i.id.substr(4, 8);
    const std::int64_t seq = std::stoll(i.id.substr(13));
    SQLite::Statement st(
        db, std::string("INSERT INTO incidents (") + kIncidentColumns +
                ", day, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    int c = 1;
    st.bind(c++, i.id);
    st.bind(c++, i.title);
    st.bind(c++, i.severity);
    st.bind(c++, status_name(i.status));
    st.bind(c++, i.ic);
    st.bind(c++, i.tech);
    st.bind(c++, i.ops);
    st.bind(c++, i.comms);
    st.bind(c++, i.reporter);
    st.bind(c++, i.source);
    st.bind(c++, i.origin_channel);
    st.bind(c++, i.channel);
    st.bind(c++, i.impact);
    st.bind(c++, i.root_cause);
    st.bind(c++, i.impact_level);
    st.bind(c++, i.urgency_level);
    st.bind(c++, static_cast<int64_t>(i.declared_at));
    bind_opt(st, c++, i.acknowledged_at);
    st.bind(c++, i.acknowledged_by);
    bind_opt(st, c++, i.mitigated_at);
    bind_opt(st, c++, i.resolved_at);
    st.bind(c++, static_cast<int64_t>(i.updated_at));
    st.bind(c++, day);
    st.bind(c++, static_cast<int64_t>(seq));
    st.exec();
}

void update_incident(SQLite::Database& db, const Incident& i) {
    SQLite::Statement st(
        db,
        "UPDATE incidents SET title=?, severity=?, status=?, ic=?, tech=?, ops=?, "
        "comms=?, channel=?, impact=?, root_cause=?, acknowledged_at=?, "
        "acknowledged_by=?, mitigated_at=?, resolved_at=?, updated_at=? WHERE id=?");
    int c = 1;
    st.bind(c++, i.title);
    st.bind(c++, i.severity);
    st.bind(c++, status_name(i.status));
    st.bind(c++, i.ic);
    st.bind(c++, i.tech);
    st.bind(c++, i.ops);
    st.bind(c++, i.comms);
    st.bind(c++, i.channel);
    st.bind(c++, i.impact);
    st.bind(c++, i.root_cause);
    bind_opt(st, c++, i.acknowledged_at);
    st.bind(c++, i.acknowledged_by);
    bind_opt(st, c++, i.mitigated_at);
    bind_opt(st, c++, i.resolved_at);
    st.bind(c++, static_cast<int64_t>(i.updated_at));
    st.bind(c++, i.id);
    if (st.exec() != 1) throw std::runtime_error("incident " + i.id + " vanished");
}

std::optional<Incident> load_incident(SQLite::Database& db, const std::string& id) {
    SQLite::Statement q(db,
                        std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id=?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_incident(q);
}

std::vector<Incident> list_incidents(SQLite::Database& db, bool open_only, int limit) {
    SQLite::Statement q(db, std::string("SELECT ") + kIncidentColumns + " FROM incidents " +
                                (open_only ? "WHERE status <> 'resolved' " : "") +
                                "ORDER BY declared_at DESC, seq DESC LIMIT ?");
    q.bind(1, limit);
    std::vector<Incident> out;
    while (q.executeStep()) out.push_back(read_incident(q));
    return out;
}

void bind_channel(SQLite::Database& db, const std::string& channel_id,
                  const std::string& incident_id, const std::string& platform,
                  const std::string& name, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT INTO incident_channels (channel_id, incident_id, platform, name, "
                         "created_at) VALUES (?,?,?,?,?)");
    st.bind(1, channel_id);
    st.bind(2, incident_id);
    st.bind(3, platform);
    st.bind(4, name);
    st.bind(5, static_cast<int64_t>(now));
    st.exec();
}

std::optional<std::string> incident_for_channel(SQLite::Database& db,
                                                const std::string& channel_id) {
    SQLite::Statement q(db, "SELECT incident_id FROM incident_channels WHERE channel_id=?");
    q.bind(1, channel_id);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
}

int last_channel_suffix(SQLite::Database& db, const std::string& platform,
                        const std::string& base) {
    SQLite::Statement q(db,
                        "SELECT last_suffix FROM channel_names WHERE platform = ? AND base = ?");
    q.bind(1, platform);
    q.bind(2, base);
    return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

void record_channel_suffix(SQLite::Database& db, const std::string& platform,
                           const std::string& base, int suffix) {
    SQLite::Statement st(db,
                         "INSERT INTO channel_names (platform, base, last_suffix) VALUES (?, ?, ?) "
                         "ON CONFLICT (platform, base) DO UPDATE SET last_suffix = "
                         "MAX(last_suffix, excluded.last_suffix)");
    st.bind(1, platform);
    st.bind(2, base);
    st.bind(3, suffix);
    st.exec();
}

std::int64_t append_timeline(SQLite::Database& db, const TimelineEvent& ev) {
    SQLite::Statement st(db,
                         "INSERT INTO timeline (incident_id, at, type, actor, source, field, "
                         "old_value, new_value, text, data) VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, ev.incident_id);
    st.bind(2, static_cast<int64_t>(ev.at));
    st.bind(3, ev.type);
    st.bind(4, ev.actor);
    st.bind(5, ev.source);
    bind_opt(st, 6, ev.field);
    bind_opt(st, 7, ev.old_value);
    bind_opt(st, 8, ev.new_value);
    st.bind(9, ev.text);
    bind_opt(st, 10, ev.data);
    st.exec();
    return db.getLastInsertRowid();
}

std::vector<TimelineEvent> load_timeline(SQLite::Database& db, const std::string& incident_id) {
    SQLite::Statement q(db,
                        "SELECT id, incident_id, at, type, actor, source, field, old_value, "
                        "new_value, text, data FROM timeline WHERE incident_id=? ORDER BY at, id");
    q.bind(1, incident_id);
    std::vector<TimelineEvent> out;
    while (q.executeStep()) {
        TimelineEvent e;
        e.id = q.getColumn(0).getInt64();
        e.incident_id = q.getColumn(1).getString();
        e.at = q.getColumn(2).getInt64();
        e.type = q.getColumn(3).getString();
        e.actor = q.getColumn(4).getString();
        e.source = q.getColumn(5).getString();
        e.field = opt_str(q.getColumn(6));
        e.old_value = opt_str(q.getColumn(7));
        e.new_value = opt_str(q.getColumn(8));
        e.text = q.getColumn(9).getString();
        e.data = opt_str(q.getColumn(10));
        out.push_back(std::move(e));
    }
    return out;
}

void remember_message(SQLite::Database& db, const std::string& incident_id,
                      const std::string& platform, const std::string& purpose,
                      const ChatMessage& msg, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT INTO chat_messages (incident_id, platform, purpose, channel, ts, "
                         "created_at) VALUES (?,?,?,?,?,?) ON CONFLICT (incident_id, platform, "
                         "purpose, channel) DO UPDATE SET ts = excluded.ts");
    st.bind(1, incident_id);
    st.bind(2, platform);
    st.bind(3, purpose);
    st.bind(4, msg.channel);
    st.bind(5, msg.ts);
    st.bind(6, static_cast<int64_t>(now));
    st.exec();
}

std::vector<ChatMessage> find_messages(SQLite::Database& db, const std::string& incident_id,
                                       const std::string& platform, const std::string& purpose) {
    SQLite::Statement q(db,
                        "SELECT channel, ts FROM chat_messages WHERE incident_id=? AND platform=? "
                        "AND purpose=? ORDER BY created_at, channel");
    q.bind(1, incident_id);
    q.bind(2, platform);
    q.bind(3, purpose);
    std::vector<ChatMessage> out;
    while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString()});
    return out;
}

std::optional<std::string> channel_of_incident(SQLite::Database& db, const std::string& incident_id,
                                               const std::string& platform) {
    SQLite::Statement q(db,
                        "SELECT channel_id FROM incident_channels WHERE incident_id=? AND "
                        "platform=? ORDER BY created_at LIMIT 1");
    q.bind(1, incident_id);
    q.bind(2, platform);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
}

std::int64_t add_action_item(SQLite::Database& db, const ActionItem& a) {
    SQLite::Statement st(db,
                         "INSERT INTO action_items (incident_id, text, owner, due, created_at, "
                         "created_by) VALUES (?,?,?,?,?,?)");
    st.bind(1, a.incident_id);
    st.bind(2, a.text);
    st.bind(3, a.owner);
    bind_opt(st, 4, a.due);
    st.bind(5, static_cast<int64_t>(a.created_at));
    st.bind(6, a.created_by);
    st.exec();
    return db.getLastInsertRowid();
}

std::vector<ActionItem> load_action_items(SQLite::Database& db, const std::string& incident_id) {
    SQLite::Statement q(db,
                        "SELECT id, incident_id, text, owner, due, created_at, created_by FROM "
                        "action_items WHERE incident_id=? ORDER BY id");
    q.bind(1, incident_id);
    std::vector<ActionItem> out;
    while (q.executeStep()) {
        ActionItem a;
        a.id = q.getColumn(0).getInt64();
        a.incident_id = q.getColumn(1).getString();
        a.text = q.getColumn(2).getString();
        a.owner = q.getColumn(3).getString();
        a.due = opt_str(q.getColumn(4));
        a.created_at = q.getColumn(5).getInt64();
        a.created_by = q.getColumn(6).getString();
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace muster
