// The reads of the SQLite adapter: every one on a read connection of the pool, with statements
// prepared once per connection, and every one answered from an index (none grows with history:
// tests/storage/query_plan_test.cpp holds them to it).
#include "storage/sql.h"
#include "storage/sqlite_impl.h"

namespace muster {

namespace {
std::optional<EpochMs> opt_ms(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}
std::optional<std::string> opt_str(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}
int json_field(const std::string& payload, const char* key) {
    // {"level":2,"attempt":1}: written by the planner, read without a JSON parser on this path.
    const std::string k = std::string("\"") + key + "\":";
    const auto at = payload.find(k);
    if (at == std::string::npos) return 0;
    return std::atoi(payload.c_str() + at + k.size());
}
}  // namespace

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
    i.version = q.getColumn(c++).getInt64();
    i.drill = q.getColumn(c++).getInt() != 0;
    i.declined = q.getColumn(c++).getInt() != 0;
    i.source_link = q.getColumn(c++).getString();
    return i;
}

ActionItem read_action_item(SQLite::Statement& q) {
    ActionItem a;
    a.id = q.getColumn(0).getInt64();
    a.incident_id = q.getColumn(1).getString();
    a.number = q.getColumn(2).getInt();
    a.text = q.getColumn(3).getString();
    a.owner = q.getColumn(4).getString();
    a.due = opt_str(q.getColumn(5));
    a.created_at = q.getColumn(6).getInt64();
    a.created_by = q.getColumn(7).getString();
    a.status = q.getColumn(8).getString();
    a.done_at = opt_ms(q.getColumn(9));
    return a;
}

Timer read_timer(SQLite::Statement& q) {
    Timer t;
    t.id = q.getColumn(0).getInt64();
    t.incident_id = q.getColumn(1).getString();
    t.kind = q.getColumn(2).getString();
    t.key = q.getColumn(3).getString();
    t.due_at = q.getColumn(4).getInt64();
    t.payload = q.getColumn(5).getString();
    t.state = q.getColumn(6).getString();
    if (t.kind == "page") {
        t.level = json_field(t.payload, "level");
        t.attempt = json_field(t.payload, "attempt");
    }
    return t;
}

OutboxItem read_outbox(SQLite::Statement& q) {
    OutboxItem o;
    o.id = q.getColumn(0).getInt64();
    o.incident_id = q.getColumn(1).getString();
    o.destination = q.getColumn(2).getString();
    o.queue = q.getColumn(3).getString();
    o.kind = q.getColumn(4).getString();
    o.payload = q.getColumn(5).getString();
    o.attempts = q.getColumn(6).getInt();
    o.next_attempt_at = q.getColumn(7).getInt64();
    o.created_at = q.getColumn(8).getInt64();
    o.status = q.getColumn(9).getString();
    o.delivered_at = opt_ms(q.getColumn(10));
    o.last_error = opt_str(q.getColumn(11));
    o.priority = q.getColumn(12).getInt();
    return o;
}

std::optional<IncidentState> SqliteStorage::load(const std::string& id) {
    auto r = reads_.lease();
    IncidentState s;
    {
        auto& q = r.get(sql::kLoadIncident);
        q.bind(1, id);
        if (!q.executeStep()) return std::nullopt;
        s.incident = read_incident(q);
    }
    {
        auto& q = r.get(sql::kPendingTimersOfIncident);
        q.bind(1, id);
        while (q.executeStep()) s.pending_timers.push_back(read_timer(q));
    }
    {
        auto& q = r.get(sql::kPagesOfIncident);
        q.bind(1, id);
        while (q.executeStep())
            s.pages.push_back({id, q.getColumn(0).getInt(), q.getColumn(1).getInt(),
                               q.getColumn(2).getString(), q.getColumn(3).getString(),
                               q.getColumn(4).getString(), q.getColumn(5).getInt64()});
    }
    {
        auto& q = r.get(sql::kActionItemCount);
        q.bind(1, id);
        if (q.executeStep()) {
            s.action_items = q.getColumn(0).getInt();
            s.has_review_item = q.getColumn(1).getInt() > 0;
        }
    }
    return s;
}

std::optional<std::string> SqliteStorage::incident_for_channel(const std::string& channel_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kIncidentForChannel);
    q.bind(1, channel_id);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
}

std::vector<Incident> SqliteStorage::list(bool open_only, int limit) {
    auto r = reads_.lease();
    auto& q = r.get(open_only ? sql::kListOpen : sql::kListAll);
    q.bind(1, limit);
    std::vector<Incident> out;
    while (q.executeStep()) out.push_back(read_incident(q));
    return out;
}

std::vector<TimelineEvent> SqliteStorage::timeline(const std::string& incident_id) {
    std::vector<TimelineEvent> out;
    each_timeline_event(incident_id, [&out](const TimelineEvent& e) { out.push_back(e); });
    return out;
}

void SqliteStorage::each_timeline_event(const std::string& incident_id,
                                        const std::function<void(const TimelineEvent&)>& fn) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kTimeline);
    q.bind(1, incident_id);
    TimelineEvent e;
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
        fn(e);
    }
}

std::vector<ActionItem> SqliteStorage::action_items(const std::string& incident_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kActionItems);
    q.bind(1, incident_id);
    std::vector<ActionItem> out;
    while (q.executeStep()) {
        ActionItem a = read_action_item(q);
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<std::string> SqliteStorage::notes_since_last_update(const std::string& incident_id,
                                                                EpochMs before) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kNotesSinceLastUpdate);
    q.bind(1, incident_id);
    q.bind(2, static_cast<int64_t>(before));
    std::vector<std::string> out;
    while (q.executeStep()) out.insert(out.begin(), q.getColumn(0).getString());
    return out;
}

std::optional<std::string> SqliteStorage::answer_for(const std::string& source,
                                                     const std::string& key) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kAnswerFor);
    q.bind(1, source);
    q.bind(2, key);
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getString();
}

bool SqliteStorage::seen(const std::string& source, const std::string& key) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kSeen);
    q.bind(1, source);
    q.bind(2, key);
    return q.executeStep();
}

bool SqliteStorage::channel_taken(const std::string& channel_id) {
    return incident_for_channel(channel_id).has_value();
}

bool SqliteStorage::posted_by_muster(const std::string& platform, const std::string& channel,
                                     const std::string& ts) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kPostedByMuster);
    q.bind(1, platform);
    q.bind(2, channel);
    q.bind(3, ts);
    return q.executeStep();
}

std::optional<ChannelBinding> SqliteStorage::channel_of(const std::string& incident_id,
                                                        const std::string& platform) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kChannelOf);
    q.bind(1, incident_id);
    q.bind(2, platform);
    if (!q.executeStep()) return std::nullopt;
    return ChannelBinding{q.getColumn(0).getString(), incident_id, platform,
                          q.getColumn(1).getString(), true,        q.getColumn(2).getInt64()};
}

std::vector<RememberedMessage> SqliteStorage::messages(const std::string& incident_id,
                                                       const std::string& platform,
                                                       const std::string& purpose) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kMessages);
    q.bind(1, incident_id);
    q.bind(2, platform);
    q.bind(3, purpose);
    std::vector<RememberedMessage> out;
    while (q.executeStep())
        out.push_back({incident_id, platform, purpose, q.getColumn(0).getString(),
                       q.getColumn(1).getString(), q.getColumn(2).getInt64()});
    return out;
}

int SqliteStorage::last_channel_suffix(const std::string& platform, const std::string& base) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kLastChannelSuffix);
    q.bind(1, platform);
    q.bind(2, base);
    return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

std::vector<OutboxItem> SqliteStorage::due(const std::string& destination, int priority,
                                           EpochMs now, int limit) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOutboxDue);
    q.bind(1, destination);
    q.bind(2, priority);
    q.bind(3, static_cast<int64_t>(now));
    q.bind(4, limit);
    std::vector<OutboxItem> out;
    while (q.executeStep()) out.push_back(read_outbox(q));
    return out;
}

std::optional<EpochMs> SqliteStorage::next_due(const std::string& destination, int priority) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOutboxNextDue);
    q.bind(1, destination);
    q.bind(2, priority);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

std::vector<OutboxItem> SqliteStorage::followers(const OutboxItem& head, int limit) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOutboxFollowers);
    q.bind(1, head.queue);
    q.bind(2, static_cast<int64_t>(head.id));
    q.bind(3, limit);
    std::vector<OutboxItem> out;
    while (q.executeStep()) {
        OutboxItem o = read_outbox(q);
        if (o.kind != head.kind) break;  // only an unbroken run of the same kind folds
        out.push_back(std::move(o));
    }
    return out;
}

std::map<std::string, int> SqliteStorage::pending_by_destination() {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOutboxPendingByDestination);
    std::map<std::string, int> out;
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt();
    return out;
}

std::vector<OutboxItem> SqliteStorage::rows(const std::string& incident_id) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOutboxOfIncident);
    q.bind(1, incident_id);
    std::vector<OutboxItem> out;
    while (q.executeStep()) out.push_back(read_outbox(q));
    return out;
}

std::vector<Timer> SqliteStorage::due(EpochMs now, int limit) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kTimersDue);
    q.bind(1, static_cast<int64_t>(now));
    q.bind(2, limit);
    std::vector<Timer> out;
    while (q.executeStep()) out.push_back(read_timer(q));
    return out;
}

std::optional<EpochMs> SqliteStorage::next_due() {
    auto r = reads_.lease();
    auto& q = r.get(sql::kTimersNextDue);
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getInt64();
}

}  // namespace muster
