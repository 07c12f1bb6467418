#include "bot/runtime/alert_runner.h"

#include <spdlog/spdlog.h>

#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {
constexpr int kTries = 5;
}  // namespace

AlertRunner::AlertRunner(AlertIntake& intake, IncidentReads& reads, AlertReads& alerts,
                         Committer& committer, const Dispatch& dispatch, const Clock& clock,
                         EpochMs deadline_ms)
    : intake_(intake),
      reads_(reads),
      alerts_(alerts),
      committer_(committer),
      dispatch_(dispatch),
      clock_(clock),
      deadline_ms_(deadline_ms) {}

bool AlertRunner::seen(const std::vector<DedupeKey>& keys) {
    if (keys.empty()) return false;
    for (const auto& k : keys)
        if (!reads_.seen(k.source, k.key)) return false;
    return true;
}

GroupState AlertRunner::read_group(const AlertGroup& g) {
    GroupState st;
    st.link = alerts_.link(g.source, g.group_key);
    if (st.link) st.incident = reads_.load(st.link->incident_id);
    st.alerts = alerts_.alerts(g.source, g.group_key);
    if (st.incident) {
        int here = 0;
        for (const auto& a : st.alerts)
            if (a.status == "firing" && a.incident_id == st.incident->incident.id) ++here;
        st.firing_elsewhere = std::max(0, alerts_.firing_alerts(st.incident->incident.id) - here);
    }
    const bool open = st.incident && st.incident->incident.status != Status::resolved;
    if (!open)
        for (const auto& key : intake_.correlation_keys(g)) {
            const auto l = alerts_.link("correlation", key);
            if (!l) continue;
            auto s = reads_.load(l->incident_id);
            if (!s || s->incident.status == Status::resolved) continue;
            st.correlated = std::move(s);
            st.correlated_by = key;
            break;
        }
    return st;
}

HeartbeatState AlertRunner::read_heartbeat(const std::string& name) {
    HeartbeatState st;
    st.pending = alerts_.unbound_timers("heartbeat", name + "@");
    st.link = alerts_.link("heartbeat", name);
    if (st.link) st.incident = reads_.load(st.link->incident_id);
    return st;
}

void AlertRunner::one_at_a_time(const std::string& key,
                                std::function<void(std::function<void()>)> task) {
    // `task` gets the function to call once it is finished (on whatever thread that is).
    auto finished = [this, key] {
        std::function<void()> next;
        {
            std::lock_guard<std::mutex> lk(queue_mu_);
            auto it = queued_.find(key);
            if (it == queued_.end()) return;
            if (it->second.empty()) {
                queued_.erase(it);
                return;
            }
            next = std::move(it->second.front());
            it->second.pop_front();
        }
        next();
    };
    std::function<void()> start = [task, finished] { task(finished); };
    {
        std::lock_guard<std::mutex> lk(queue_mu_);
        auto it = queued_.find(key);
        if (it != queued_.end()) {
            it->second.push_back(std::move(start));
            return;
        }
        queued_.emplace(key, std::deque<std::function<void()>>{});
    }
    start();
}

void AlertRunner::group(const AlertGroup& g, std::vector<DedupeKey> keys,
                        std::function<void(AlertOutcome)> done) {
    one_at_a_time(
        g.source + "\x1f" + g.group_key, [this, g, keys, done](std::function<void()> finished) {
            run([this, g] { return intake_.on_group(g, read_group(g), clock_.now_ms()); }, keys,
                [done, finished](AlertOutcome o) {
                    done(o);
                    finished();
                },
                kTries);
        });
}

void AlertRunner::action(const SourceAction& a, std::vector<DedupeKey> keys,
                         std::function<void(AlertOutcome)> done) {
    run(
        [this, a] {
            const EpochMs now = clock_.now_ms();
            const auto link = alerts_.link(a.source, a.external_id);
            const auto state = link ? reads_.load(link->incident_id) : std::nullopt;
            if (!state) {
                Decision d;  // nothing of ours: only the delivery is recorded
                d.effects.source = a.source;
                d.effects.at = now;
                return d;
            }
            return intake_.on_action(a, *state, now);
        },
        std::move(keys), std::move(done), kTries);
}

void AlertRunner::link_own(const SourceAction& a, const std::string& incident_id,
                           std::vector<DedupeKey> keys, std::function<void(AlertOutcome)> done) {
    run(
        [this, a, incident_id] {
            const EpochMs now = clock_.now_ms();
            const auto state = reads_.load(incident_id);
            if (!state) {
                Decision d;
                d.effects.source = a.source;
                d.effects.at = now;
                return d;
            }
            return intake_.link_source(a, *state, now);
        },
        std::move(keys), std::move(done), kTries);
}

void AlertRunner::record(std::vector<DedupeKey> keys, std::function<void(AlertOutcome)> done) {
    run(
        [this] {
            Decision d;
            d.effects.source = "system";
            d.effects.at = clock_.now_ms();
            return d;
        },
        std::move(keys), std::move(done), kTries);
}

void AlertRunner::beat(const Config::Heartbeat& h, std::function<void(AlertOutcome)> done) {
    run([this, h] { return intake_.beat(h, read_heartbeat(h.name), clock_.now_ms()); }, {},
        std::move(done), kTries);
}

Effects AlertRunner::deadline(const Timer& t, const Config& config, EpochMs now) {
    Effects consumed;
    consumed.source = "system";
    consumed.at = now;
    consumed.fire = t.id;
    if (t.kind != "heartbeat") {
        spdlog::error("timers: a {} timer belongs to no incident; dropped", t.kind);
        return consumed;
    }
    const auto payload = parse_untrusted_json(t.payload);
    const std::string name = payload ? json_string(*payload, "name") : "";
    const auto h = config.heartbeats.find(name);
    if (h == config.heartbeats.end()) {
        spdlog::warn("heartbeats: {} is no longer configured; its deadline is dropped", name);
        return consumed;
    }
    Decision d = intake_.missed(h->second, t, read_heartbeat(name), now);
    if (!d.ok()) {
        spdlog::error("heartbeats: {} missed, but no incident could be declared: {}", name,
                      *d.refused);
        return consumed;
    }
    dispatch_.expand(d.effects);
    return std::move(d.effects);
}

void AlertRunner::run(Decide decide, std::vector<DedupeKey> keys,
                      std::function<void(AlertOutcome)> done, int tries_left) {
    try {
        if (seen(keys)) return done(AlertOutcome::duplicate);
        Decision d = decide();
        const EpochMs now = clock_.now_ms();
        if (!d.ok()) {
            // The incident service refused (a group mapped to an unknown severity): nothing
            // changes, the delivery is still recorded so a retry is recognised.
            spdlog::warn("{}: {}", d.effects.source, *d.refused);
            d = Decision{};
            d.effects.at = now;
        }
        Effects fx = std::move(d.effects);
        for (auto& k : keys) {
            k.at = now;
            fx.dedupe.push_back(k);
        }
        if (fx.writes_nothing()) return done(AlertOutcome::recorded);
        dispatch_.expand(fx);
        const bool queued = committer_.apply(
            std::move(fx),
            [this, decide, keys, done, tries_left](Applied applied) {
                switch (applied) {
                    case Applied::ok:
                        return done(AlertOutcome::recorded);
                    case Applied::conflict:
                        if (tries_left > 1) return run(decide, keys, done, tries_left - 1);
                        spdlog::error("alerts: the incident kept changing; the source will retry");
                        return done(AlertOutcome::busy);
                    case Applied::duplicate:
                        return done(AlertOutcome::duplicate);
                    case Applied::busy:
                        return done(AlertOutcome::busy);
                    case Applied::failed:
                        return done(AlertOutcome::failed);
                }
            },
            deadline_ms_ > 0 ? now + deadline_ms_ : 0);
        if (!queued) done(AlertOutcome::busy);
    } catch (const std::exception& e) {
        spdlog::error("alerts: not recorded: {}", e.what());
        done(AlertOutcome::failed);
    }
}

}  // namespace muster
