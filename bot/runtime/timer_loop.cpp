#include "bot/runtime/timer_loop.h"
#include <pthread.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>

namespace muster {

TimerLoop::~TimerLoop() {
    stop();
}

void TimerLoop::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "timers");
        loop();
    });
}

void TimerLoop::stop() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void TimerLoop::notify() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        notified_ = true;
    }
    cv_.notify_one();
}

std::size_t TimerLoop::run_due() {
    std::size_t total = 0;
    for (;;) {
        const EpochMs now = clock_.now_ms();
        const auto due = timers_.due(now, batch_);
        // Every decision of the batch is submitted before any is waited for: they share commits.
        struct Pending {
            Timer timer;
            std::future<Applied> applied;
        };
        std::vector<Pending> pending;
        std::vector<Timer> again;
        for (const auto& t : due) {
            if (t.incident_id.empty()) {  // a heartbeat's deadline
                Effects fx;
                if (unbound_) {
                    fx = unbound_(t, now);
                } else {
                    spdlog::warn("timers: {} {} belongs to no incident; dropped", t.kind, t.key);
                    fx.at = now;
                    fx.source = "system";
                    fx.fire = t.id;
                }
                auto promise = std::make_shared<std::promise<Applied>>();
                Pending p{t, promise->get_future()};
                if (!committer_.apply(std::move(fx),
                                      [promise](Applied a) { promise->set_value(a); }))
                    promise->set_value(Applied::busy);
                pending.push_back(std::move(p));
                continue;
            }
            const auto state = reads_.load(t.incident_id);
            const bool still_pending =
                state && std::any_of(state->pending_timers.begin(), state->pending_timers.end(),
                                     [&](const Timer& p) { return p.id == t.id; });
            if (!still_pending) continue;  // settled meanwhile (acknowledged, cancelled)
            Effects fx;
            try {
                fx = service_.fire(*state, t, now).effects;
                dispatch_.expand(fx);
            } catch (const std::exception& e) {
                // One broken timer must not hold back the others; and it is on the timeline,
                // where the people running the incident look.
                spdlog::error("timers: {} {} of {} failed: {}", t.kind, t.key, t.incident_id,
                              e.what());
                auto done = std::make_shared<std::promise<bool>>();
                if (timers_.fail(t, now, e.what(), [done](bool ok) { done->set_value(ok); }))
                    done->get_future().get();
                continue;
            }
            auto promise = std::make_shared<std::promise<Applied>>();
            Pending p{t, promise->get_future()};
            if (!committer_.apply(std::move(fx), [promise](Applied a) { promise->set_value(a); }))
                promise->set_value(Applied::busy);
            pending.push_back(std::move(p));
        }
        std::size_t settled = 0;
        bool busy = false;
        for (auto& p : pending) {
            const Applied a = p.applied.get();
            if (a == Applied::ok) ++settled;
            if (a == Applied::conflict) again.push_back(p.timer);  // decided on a stale state
            if (a == Applied::busy) busy = true;
            if (a == Applied::failed) {
                // Its effects cannot be written (a broken row, a bug): it fails alone, visibly.
                auto done = std::make_shared<std::promise<bool>>();
                if (timers_.fail(p.timer, now, "its effects could not be recorded",
                                 [done](bool ok) { done->set_value(ok); }))
                    done->get_future().get();
                ++settled;
            }
        }
        if (busy) throw std::runtime_error("the write queue is full; timers wait");
        // A conflict means the incident changed under the decision: decide again, once more
        // at most per round (the next round picks up anything still due).
        for (const auto& t : again) {
            const auto state = reads_.load(t.incident_id);
            if (!state || std::none_of(state->pending_timers.begin(), state->pending_timers.end(),
                                       [&](const Timer& p) { return p.id == t.id; }))
                continue;
            Effects fx = service_.fire(*state, t, now).effects;
            dispatch_.expand(fx);
            auto promise = std::make_shared<std::promise<Applied>>();
            auto f = promise->get_future();
            if (!committer_.apply(std::move(fx), [promise](Applied a) { promise->set_value(a); }))
                promise->set_value(Applied::busy);
            if (f.get() == Applied::ok) ++settled;
        }
        total += settled;
        if (due.size() < static_cast<std::size_t>(batch_)) return total;
        if (settled == 0) return total;  // nothing moved: do not spin on the same rows
    }
}

void TimerLoop::loop() {
    for (;;) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (stopping_) return;
            notified_ = false;
        }
        std::optional<EpochMs> next;
        try {
            run_due();
            next = timers_.next_due();
        } catch (const std::exception& e) {
            spdlog::error("timers: {}", e.what());
            next = clock_.now_ms() + 1000;
        }
        std::unique_lock<std::mutex> lk(mu_);
        auto wake = [&] { return stopping_ || notified_; };
        if (next)
            cv_.wait_for(
                lk, std::chrono::milliseconds(std::max<EpochMs>(0, *next - clock_.now_ms())), wake);
        else
            cv_.wait(lk, wake);
    }
}

}  // namespace muster
