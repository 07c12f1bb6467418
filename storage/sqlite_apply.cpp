// The writes of the SQLite adapter, all on the writer's connection with statements prepared once:
// applying an Effects value (a job of the writer, so it lands whole or not at all), recording
// delivery outcomes, failing a timer, pruning old rows.
#include <spdlog/spdlog.h>

#include "storage/sql.h"
#include "storage/sqlite_impl.h"

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

void insert_incident(StatementCache& c, const Incident& i) {
    auto& st = c.get(sql::kInsertIncident);
    bind_incident(st, i);
    const std::string day = i.id.substr(4, 8);
    const std::int64_t seq = std::stoll(i.id.substr(13));
    st.bind(23, i.drill ? 1 : 0);
    st.bind(24, i.declined ? 1 : 0);
    st.bind(25, i.source_link);
    st.bind(26, day);
    st.bind(27, static_cast<int64_t>(seq));
    st.exec();
    // The id's sequence is kept with the incident (ids are handed out ahead of the writer).
    auto& up = c.get(sql::kKeepIncidentSeq);
    up.bind(1, day);
    up.bind(2, static_cast<int64_t>(seq));
    up.exec();
}

void update_incident(StatementCache& c, const Incident& i) {
    auto& st = c.get(sql::kUpdateIncident);
    int k = 1;
    st.bind(k++, i.title);
    st.bind(k++, i.severity);
    st.bind(k++, status_name(i.status));
    st.bind(k++, i.ic);
    st.bind(k++, i.tech);
    st.bind(k++, i.ops);
    st.bind(k++, i.comms);
    st.bind(k++, i.channel);
    st.bind(k++, i.impact);
    st.bind(k++, i.root_cause);
    bind_opt(st, k++, i.acknowledged_at);
    st.bind(k++, i.acknowledged_by);
    bind_opt(st, k++, i.mitigated_at);
    bind_opt(st, k++, i.resolved_at);
    st.bind(k++, static_cast<int64_t>(i.updated_at));
    st.bind(k++, i.declined ? 1 : 0);
    st.bind(k++, i.id);
    st.bind(k++, static_cast<int64_t>(i.version));
    if (st.exec() != 1) throw Conflict("incident " + i.id + " changed since it was read");
}

void insert_timeline(StatementCache& c, const TimelineEvent& ev) {
    auto& st = c.get(sql::kInsertTimeline);
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
}

// The row after a settled head becomes its queue's head.
void promote_next(StatementCache& c, const std::string& queue) {
    c.queues_with_pending().erase(queue);  // its last pending row may just have settled
    auto& st = c.get(sql::kPromoteNextInQueue);
    st.bind(1, queue);
    st.exec();
}

bool queue_empty(StatementCache& c, const std::string& queue) {
    auto& q = c.get(sql::kQueueHasPending);
    q.bind(1, queue);
    return !q.executeStep();
}

void insert_outbox(StatementCache& c, const QueuedOp& op, EpochMs now) {
    // Queues never span destinations, and the key says whose they are.
    if (op.queue.rfind(op.destination + ":", 0) != 0)
        throw std::logic_error("outbox queue '" + op.queue + "' must start with '" +
                               op.destination + ":'");
    // The first row of an empty queue is its head: the only row a lane may take.
    auto& known = c.queues_with_pending();
    const bool head = !known.count(op.queue) && queue_empty(c, op.queue);
    known.insert(op.queue);
    auto& st = c.get(sql::kInsertOutbox);
    if (op.incident_id.empty())
        st.bind(1);
    else
        st.bind(1, op.incident_id);
    st.bind(2, op.destination);
    st.bind(3, op.queue);
    st.bind(4, op.kind);
    st.bind(5, op.payload);
    st.bind(6, static_cast<int64_t>(op.not_before > 0 ? op.not_before : now));
    st.bind(7, static_cast<int64_t>(now));
    st.bind(8, op.priority);
    st.bind(9, head ? 1 : 0);
    st.exec();
}

static_assert(kPagePriority == 0,
              "storage/sql.h (kPendingOfKind) and migration v9 spell out the page priority");

void withdraw(StatementCache& c, const Withdrawal& w) {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
        auto& q = c.get(sql::kPendingOfKind);
        q.bind(1, w.incident_id);
        q.bind(2, w.kind);
        while (q.executeStep())
            rows.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
    }
    if (rows.empty()) return;
    for (const auto& [id, queue] : rows) {
        auto& st = c.get(sql::kWithdraw);
        st.bind(1, static_cast<int64_t>(w.at));
        st.bind(2, w.why);
        st.bind(3, static_cast<int64_t>(id));
        st.exec();
    }
    for (const auto& [id, queue] : rows) promote_next(c, queue);
    TimelineEvent e;
    e.incident_id = w.incident_id;
    e.at = w.at;
    e.type = "pages_withdrawn";
    e.actor = w.actor;
    e.source = "system";
    e.text =
        std::to_string(rows.size()) + " queued page message(s) withdrawn before delivery: " + w.why;
    insert_timeline(c, e);
}

void bind_channel(StatementCache& c, const ChannelBinding& b, bool set_incident_channel) {
    auto& st = c.get(sql::kBindChannel);
    st.bind(1, b.channel_id);
    st.bind(2, b.incident_id);
    st.bind(3, b.platform);
    st.bind(4, b.name);
    st.bind(5, static_cast<int64_t>(b.at));
    if (st.exec() != 1) throw Conflict("channel " + b.channel_id + " is taken");
    if (!set_incident_channel) return;
    auto& up = c.get(sql::kSetIncidentChannel);
    up.bind(1, "#" + b.name);
    up.bind(2, b.incident_id);
    up.exec();
}

// A link lands as decided or the whole Effects is decided again (two deliveries for a new alert
// group at once must not open two incidents).
void apply_link(StatementCache& c, const IncidentLink& l) {
    if (l.overwrite) {
        auto& st = c.get(sql::kUpsertLink);
        st.bind(1, l.source);
        st.bind(2, l.external_id);
        st.bind(3, l.incident_id);
        st.bind(4, l.data.empty() ? "{}" : l.data);
        st.bind(5, static_cast<int64_t>(l.at));
        st.exec();
        return;
    }
    if (!l.expected) {
        auto& st = c.get(sql::kInsertLink);
        st.bind(1, l.source);
        st.bind(2, l.external_id);
        st.bind(3, l.incident_id);
        st.bind(4, l.data.empty() ? "{}" : l.data);
        st.bind(5, static_cast<int64_t>(l.at));
        if (st.exec() != 1)
            throw Conflict(l.source + " " + l.external_id + " was linked meanwhile");
        return;
    }
    auto& st = c.get(sql::kRepointLink);
    st.bind(1, l.incident_id);
    st.bind(2, l.data.empty() ? "{}" : l.data);
    st.bind(3, static_cast<int64_t>(l.at));
    st.bind(4, l.source);
    st.bind(5, l.external_id);
    st.bind(6, *l.expected);
    if (st.exec() != 1) throw Conflict(l.source + " " + l.external_id + " was relinked meanwhile");
}

}  // namespace

void bind_incident(SQLite::Statement& st, const Incident& i) {
    int k = 1;
    st.bind(k++, i.id);
    st.bind(k++, i.title);
    st.bind(k++, i.severity);
    st.bind(k++, status_name(i.status));
    st.bind(k++, i.ic);
    st.bind(k++, i.tech);
    st.bind(k++, i.ops);
    st.bind(k++, i.comms);
    st.bind(k++, i.reporter);
    st.bind(k++, i.source);
    st.bind(k++, i.origin_channel);
    st.bind(k++, i.channel);
    st.bind(k++, i.impact);
    st.bind(k++, i.root_cause);
    st.bind(k++, i.impact_level);
    st.bind(k++, i.urgency_level);
    st.bind(k++, static_cast<int64_t>(i.declared_at));
    bind_opt(st, k++, i.acknowledged_at);
    st.bind(k++, i.acknowledged_by);
    bind_opt(st, k++, i.mitigated_at);
    bind_opt(st, k++, i.resolved_at);
    st.bind(k++, static_cast<int64_t>(i.updated_at));
}

void apply_effects(StatementCache& c, const Effects& fx) {
    const EpochMs now = fx.at;
    for (const auto& d : fx.dedupe) {
        auto& st = c.get(sql::kInsertDedupe);
        st.bind(1, d.source);
        st.bind(2, d.key);
        st.bind(3, static_cast<int64_t>(d.at));
        bind_opt(st, 4, d.answer);
        if (st.exec() == 0) throw Duplicate(d.source + " " + d.key + " was seen already");
    }
    if (fx.created) insert_incident(c, *fx.created);
    if (fx.updated) update_incident(c, *fx.updated);
    if (fx.fire) {
        auto& st = c.get(sql::kFireTimer);
        st.bind(1, static_cast<int64_t>(now));
        st.bind(2, static_cast<int64_t>(*fx.fire));
        if (st.exec() != 1) throw Conflict("the timer is no longer pending");
    }
    for (const auto id : fx.cancel) {
        auto& st = c.get(sql::kCancelTimer);
        st.bind(1, static_cast<int64_t>(now));
        st.bind(2, static_cast<int64_t>(id));
        st.exec();
    }
    for (const auto& t : fx.schedule) {
        auto& st = c.get(sql::kScheduleTimer);
        if (t.incident_id.empty())
            st.bind(1);  // a heartbeat's deadline: no incident yet
        else
            st.bind(1, t.incident_id);
        st.bind(2, t.kind);
        st.bind(3, t.key);
        st.bind(4, static_cast<int64_t>(t.due_at));
        st.bind(5, t.payload);
        st.bind(6, static_cast<int64_t>(now));
        st.exec();
    }
    for (const auto& p : fx.pages) {
        auto& st = c.get(sql::kInsertPage);
        st.bind(1, p.incident_id);
        st.bind(2, p.level);
        st.bind(3, p.attempt);
        st.bind(4, p.contact);
        st.bind(5, p.dedup_key);
        st.bind(6, p.methods);
        st.bind(7, static_cast<int64_t>(p.at));
        st.exec();
    }
    for (const auto& a : fx.action_items) {
        auto& st = c.get(sql::kInsertActionItem);
        st.bind(1, a.incident_id);
        st.bind(2, a.number);
        st.bind(3, a.text);
        st.bind(4, a.owner);
        bind_opt(st, 5, a.due);
        st.bind(6, static_cast<int64_t>(a.created_at));
        st.bind(7, a.created_by);
        st.exec();
    }
    for (const auto& a : fx.action_item_changes) {
        auto& st = c.get(sql::kChangeActionItem);
        st.bind(1, a.status);
        if (a.status == "done")
            st.bind(2, static_cast<int64_t>(a.at));
        else
            st.bind(2);
        st.bind(3, a.incident_id);
        st.bind(4, a.number);
        if (st.exec() != 1)
            throw std::runtime_error("no action item " + std::to_string(a.number) + " in " +
                                     a.incident_id);
    }
    for (const auto& b : fx.channels) bind_channel(c, b, b.is_incident_channel && !fx.created);
    for (const auto& s : fx.suffixes) {
        auto& st = c.get(sql::kKeepChannelSuffix);
        st.bind(1, s.platform);
        st.bind(2, s.base);
        st.bind(3, s.suffix);
        st.exec();
    }
    for (const auto& m : fx.remembered) {
        auto& st = c.get(sql::kRememberMessage);
        st.bind(1, m.incident_id);
        st.bind(2, m.platform);
        st.bind(3, m.purpose);
        st.bind(4, m.channel);
        st.bind(5, m.ts);
        st.bind(6, static_cast<int64_t>(m.at));
        st.exec();
    }
    for (const auto& l : fx.links) apply_link(c, l);
    for (const auto& a : fx.alerts) {
        auto& st = c.get(sql::kUpsertAlert);
        st.bind(1, a.source);
        st.bind(2, a.group_key);
        st.bind(3, a.fingerprint);
        if (a.incident_id.empty())
            st.bind(4);
        else
            st.bind(4, a.incident_id);
        st.bind(5, a.status);
        st.bind(6, a.summary);
        st.bind(7, a.labels);
        st.bind(8, static_cast<int64_t>(a.at));
        st.exec();
    }
    for (const auto& e : fx.timeline) insert_timeline(c, e);
    for (const auto& w : fx.withdrawals) withdraw(c, w);  // its timeline entry follows the cause
    for (const auto& op : fx.outbox) insert_outbox(c, op, now);
}

void record_outcomes(StatementCache& c, const std::vector<DeliveryOutcome>& outcomes) {
    for (const auto& o : outcomes) {
        std::string queue = o.queue;
        if (queue.empty()) {
            auto& q = c.get(sql::kQueueOf);
            q.bind(1, static_cast<int64_t>(o.id));
            if (q.executeStep()) queue = q.getColumn(0).getString();
        }
        // What a delivery learnt must not undo the record of the delivery.
        if (!o.learned.writes_nothing()) {
            try {
                c.db().exec("SAVEPOINT learned");
                apply_effects(c, o.learned);
                c.db().exec("RELEASE learned");
            } catch (const std::exception& e) {
                c.forget();
                c.db().exec("ROLLBACK TO learned");
                c.db().exec("RELEASE learned");
                spdlog::error("outbox: recording what #{} learnt failed: {}", o.id, e.what());
            }
        }
        switch (o.kind) {
            case DeliveryOutcome::Kind::delivered: {
                auto& st = c.get(sql::kMarkDelivered);
                for (const auto id : [&] {
                         std::vector<std::int64_t> ids{o.id};
                         ids.insert(ids.end(), o.also_delivered.begin(), o.also_delivered.end());
                         return ids;
                     }()) {
                    st.reset();
                    st.bind(1, static_cast<int64_t>(o.at));
                    st.bind(2, id == o.id ? o.detail : "folded into #" + std::to_string(o.id));
                    st.bind(3, static_cast<int64_t>(id));
                    st.exec();
                }
                break;
            }
            case DeliveryOutcome::Kind::retry: {
                auto& st = c.get(sql::kMarkRetry);
                st.bind(1, o.counts_as_attempt ? 1 : 0);
                st.bind(2, static_cast<int64_t>(o.next_attempt_at));
                st.bind(3, o.detail);
                st.bind(4, static_cast<int64_t>(o.id));
                st.exec();
                break;
            }
            case DeliveryOutcome::Kind::failed: {
                auto& st = c.get(sql::kMarkFailed);
                st.bind(1, static_cast<int64_t>(o.at));
                st.bind(2, o.detail);
                st.bind(3, static_cast<int64_t>(o.id));
                st.exec();
                break;
            }
        }
        if (!queue.empty() && o.kind != DeliveryOutcome::Kind::retry) promote_next(c, queue);
    }
}

bool SqliteStorage::record(std::vector<DeliveryOutcome> outcomes, std::function<void(bool)> done) {
    auto shared = std::make_shared<std::vector<DeliveryOutcome>>(std::move(outcomes));
    return submit([shared](StatementCache& c) { record_outcomes(c, *shared); },
                  [done](std::exception_ptr e) {
                      if (e) {
                          try {
                              std::rethrow_exception(e);
                          } catch (const std::exception& ex) {
                              spdlog::error("outbox: outcomes not recorded: {}", ex.what());
                          } catch (...) {
                          }
                      }
                      if (done) done(!e);
                  });
}

bool SqliteStorage::fail(const Timer& t, EpochMs now, const std::string& why,
                         std::function<void(bool)> done) {
    return submit(
        [t, now, why](StatementCache& c) {
            auto& st = c.get(sql::kFailTimer);
            st.bind(1, static_cast<int64_t>(now));
            st.bind(2, static_cast<int64_t>(t.id));
            st.exec();
            if (t.incident_id.empty()) return;  // a heartbeat's deadline: the log says it
            // Where the people running the incident look, not only in the log: a page that
            // could not go out must not vanish quietly.
            TimelineEvent ev;
            ev.incident_id = t.incident_id;
            ev.at = now;
            ev.type = "timer_failed";
            ev.actor = "muster";
            ev.source = "system";
            ev.text = "Could not act on the " + t.kind + " due at " + format_human_utc(t.due_at) +
                      ": " + why + (t.kind == "page" ? " — page by hand with /incident page" : "");
            insert_timeline(c, ev);
        },
        [done](std::exception_ptr e) {
            if (done) done(!e);
        });
}

int SqliteStorage::prune(const RetentionPolicy& p, EpochMs now, int batch) {
    if (!writer_) return 0;
    return writer_
        ->call<int>([this, p, now, batch](SQLite::Database&) {
            StatementCache& c = *write_cache_;
            int n = 0;
            auto& o = c.get(sql::kPruneOutbox);
            o.bind(1, static_cast<int64_t>(now - p.outbox_ms));
            o.bind(2, batch);
            n += o.exec();
            auto& t = c.get(sql::kPruneTimers);
            t.bind(1, static_cast<int64_t>(now - p.timers_ms));
            t.bind(2, batch);
            n += t.exec();
            auto& d = c.get(sql::kPruneDedupe);
            d.bind(1, static_cast<int64_t>(now - p.dedupe_ms));
            d.bind(2, batch);
            n += d.exec();
            c.release();
            return n;
        })
        .get();
}

}  // namespace muster
