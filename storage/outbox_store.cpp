#include "storage/outbox_store.h"

#include <stdexcept>

#include <SQLiteCpp/Statement.h>

namespace muster {

namespace {
const char* kCols =
    "id, IFNULL(incident_id, ''), destination, channel_key, kind, payload, attempts, "
    "next_attempt_at, created_at, status, delivered_at, last_error";

OutboxItem read_item(SQLite::Statement& q) {
    OutboxItem o;
    o.id = q.getColumn(0).getInt64();
    o.incident_id = q.getColumn(1).getString();
    o.destination = q.getColumn(2).getString();
    o.channel_key = q.getColumn(3).getString();
    o.kind = q.getColumn(4).getString();
    o.payload = q.getColumn(5).getString();
    o.attempts = q.getColumn(6).getInt();
    o.next_attempt_at = q.getColumn(7).getInt64();
    o.created_at = q.getColumn(8).getInt64();
    o.status = q.getColumn(9).getString();
    if (!q.getColumn(10).isNull()) o.delivered_at = q.getColumn(10).getInt64();
    if (!q.getColumn(11).isNull()) o.last_error = q.getColumn(11).getString();
    return o;
}
}  // namespace

std::int64_t enqueue_outbox(SQLite::Database& db, const OutboxItem& item) {
    // Queues never span destinations, and the key says whose they are: a destination's lane
    // finds its heads by a range of the channel_key index alone.
    if (item.channel_key.rfind(item.destination + ":", 0) != 0)
        throw std::logic_error("outbox channel_key '" + item.channel_key + "' must start with '" +
                               item.destination + ":'");
    SQLite::Statement st(
        db,
        "INSERT INTO outbox (incident_id, destination, channel_key, kind, payload, "
        "next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?)");
    if (item.incident_id.empty())
        st.bind(1);
    else
        st.bind(1, item.incident_id);
    st.bind(2, item.destination);
    st.bind(3, item.channel_key);
    st.bind(4, item.kind);
    st.bind(5, item.payload);
    st.bind(6, static_cast<int64_t>(item.next_attempt_at));
    st.bind(7, static_cast<int64_t>(item.created_at));
    st.exec();
    return db.getLastInsertRowid();
}

std::int64_t enqueue_outbox(SQLite::Database& db, const std::string& incident_id,
                            const std::string& destination, const std::string& channel_key,
                            const std::string& kind, const std::string& payload, EpochMs now) {
    OutboxItem item;
    item.incident_id = incident_id;
    item.destination = destination;
    item.channel_key = channel_key;
    item.kind = kind;
    item.payload = payload;
    item.next_attempt_at = now;
    item.created_at = now;
    return enqueue_outbox(db, item);
}

namespace {
// The channel keys of one destination are ["<destination>:", "<destination>;"): a range of the
// outbox_pending index, with no table lookup per row. No destination: every key.
void bind_key_range(SQLite::Statement& q, const std::string& destination, int lo, int hi) {
    if (destination.empty()) {
        q.bind(lo, "");
        q.bind(hi, "\xff");
    } else {
        q.bind(lo, destination + ":");
        q.bind(hi, destination + ";");
    }
}
}  // namespace

std::vector<OutboxItem> due_outbox(SQLite::Database& db, EpochMs now, int limit,
                                   const std::string& destination) {
    SQLite::Statement q(db, std::string("SELECT ") + kCols +
                                " FROM outbox WHERE id IN (SELECT MIN(id) FROM outbox WHERE "
                                "status = 'pending' AND channel_key >= ?1 AND channel_key < ?4 "
                                "GROUP BY channel_key) AND next_attempt_at <= ?2 ORDER BY id "
                                "LIMIT ?3");
    bind_key_range(q, destination, 1, 4);
    q.bind(2, static_cast<int64_t>(now));
    q.bind(3, limit);
    std::vector<OutboxItem> out;
    while (q.executeStep()) out.push_back(read_item(q));
    return out;
}

std::optional<EpochMs> next_outbox_due(SQLite::Database& db, const std::string& destination) {
    SQLite::Statement q(db,
                        "SELECT MIN(next_attempt_at) FROM outbox WHERE id IN (SELECT MIN(id) FROM "
                        "outbox WHERE status = 'pending' AND channel_key >= ?1 AND channel_key < "
                        "?2 GROUP BY channel_key)");
    bind_key_range(q, destination, 1, 2);
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

void mark_outbox_delivered(SQLite::Database& db, std::int64_t id, EpochMs now,
                           const std::string& result) {
    SQLite::Statement st(
        db,
        "UPDATE outbox SET status='delivered', attempts=attempts+1, delivered_at=?, "
        "result=? WHERE id=?");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, result);
    st.bind(3, static_cast<int64_t>(id));
    st.exec();
}

void mark_outbox_retry(SQLite::Database& db, std::int64_t id, EpochMs next_at,
                       const std::string& error, bool count_attempt) {
    SQLite::Statement st(
        db,
        "UPDATE outbox SET attempts = attempts + ?, next_attempt_at = ?, last_error = ? "
        "WHERE id = ?");
    st.bind(1, count_attempt ? 1 : 0);
    st.bind(2, static_cast<int64_t>(next_at));
    st.bind(3, error);
    st.bind(4, static_cast<int64_t>(id));
    st.exec();
}

void mark_outbox_failed(SQLite::Database& db, std::int64_t id, EpochMs now,
                        const std::string& error) {
    SQLite::Statement st(db,
                         "UPDATE outbox SET status='failed', attempts=attempts+1, delivered_at=?, "
                         "last_error=? WHERE id=?");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, error);
    st.bind(3, static_cast<int64_t>(id));
    st.exec();
}

int withdraw_outbox(SQLite::Database& db, const std::string& incident_id, const std::string& kind,
                    EpochMs now, const std::string& why) {
    SQLite::Statement st(db,
                         "UPDATE outbox SET status = 'withdrawn', delivered_at = ?, last_error = ? "
                         "WHERE incident_id = ? AND kind = ? AND status = 'pending'");
    st.bind(1, static_cast<int64_t>(now));
    st.bind(2, why);
    st.bind(3, incident_id);
    st.bind(4, kind);
    return st.exec();
}

std::map<std::string, int> pending_outbox_by_destination(SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT destination, COUNT(*) FROM outbox WHERE status = 'pending' GROUP "
                        "BY destination");
    std::map<std::string, int> out;
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt();
    return out;
}

std::vector<OutboxItem> load_outbox(SQLite::Database& db, const std::string& incident_id) {
    SQLite::Statement q(
        db, std::string("SELECT ") + kCols + " FROM outbox WHERE incident_id=? ORDER BY id");
    q.bind(1, incident_id);
    std::vector<OutboxItem> out;
    while (q.executeStep()) out.push_back(read_item(q));
    return out;
}

}  // namespace muster
