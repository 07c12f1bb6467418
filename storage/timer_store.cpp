#include "storage/timer_store.h"

#include <SQLiteCpp/Statement.h>

namespace muster {

namespace {
Timer read_timer(SQLite::Statement& q) {
    Timer t;
    t.id = q.getColumn(0).getInt64();
    t.incident_id = q.getColumn(1).getString();
    t.kind = q.getColumn(2).getString();
    t.key = q.getColumn(3).getString();
    t.due_at = q.getColumn(4).getInt64();
    t.payload = q.getColumn(5).getString();
    t.state = q.getColumn(6).getString();
    return t;
}
const char* kCols = "id, incident_id, kind, key, due_at, payload, state";
}  // namespace

bool schedule_timer(SQLite::Database& db, const Timer& t, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT OR IGNORE INTO timers (incident_id, kind, key, due_at, payload, "
                         "created_at) VALUES (?,?,?,?,?,?)");
    st.bind(1, t.incident_id);
    st.bind(2, t.kind);
    st.bind(3, t.key);
    st.bind(4, static_cast<int64_t>(t.due_at));
    st.bind(5, t.payload);
    st.bind(6, static_cast<int64_t>(now));
    return st.exec() == 1;
}

int cancel_timers(SQLite::Database& db, const std::string& incident_id, const std::string& kind,
                  const std::string& except_kind) {
    SQLite::Statement st(db,
                         "UPDATE timers SET state = 'cancelled' WHERE incident_id = ? AND state = "
                         "'pending' AND (? = '' OR kind = ?) AND kind <> ?");
    st.bind(1, incident_id);
    st.bind(2, kind);
    st.bind(3, kind);
    st.bind(4, except_kind);
    return st.exec();
}

std::optional<EpochMs> next_timer_due(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT MIN(due_at) FROM timers WHERE state = 'pending'");
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

std::vector<Timer> due_timers(SQLite::Database& db, EpochMs now, int limit) {
    SQLite::Statement q(
        db, std::string("SELECT ") + kCols +
                " FROM timers WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?");
    q.bind(1, static_cast<int64_t>(now));
    q.bind(2, limit);
    std::vector<Timer> out;
    while (q.executeStep()) out.push_back(read_timer(q));
    return out;
}

std::vector<Timer> pending_timers(SQLite::Database& db, const std::string& incident_id) {
    SQLite::Statement q(
        db, std::string("SELECT ") + kCols +
                " FROM timers WHERE state = 'pending' AND incident_id = ? ORDER BY due_at, id");
    q.bind(1, incident_id);
    std::vector<Timer> out;
    while (q.executeStep()) out.push_back(read_timer(q));
    return out;
}

bool mark_timer_fired(SQLite::Database& db, std::int64_t id, EpochMs now) {
    SQLite::Statement st(
        db, "UPDATE timers SET state = 'fired', fired_at = ? WHERE id = ? AND state = 'pending'");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, static_cast<int64_t>(id));
    return st.exec() == 1;
}

}  // namespace muster
