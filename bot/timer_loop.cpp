#include "bot/timer_loop.h"

#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "storage/incident_store.h"

namespace muster {

TimerLoop::~TimerLoop() {
    stop();
}

void TimerLoop::start() {
    thread_ = std::thread([this] { loop(); });
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
        const int batch = batch_;
        const Escalation& escalation = escalation_;
        const auto fired =
            writer_
                .call<std::size_t>([now, batch, &escalation](SQLite::Database& db) {
                    const auto due = due_timers(db, now, batch);
                    for (const auto& t : due) {
                        db.exec("SAVEPOINT timer");
                        try {
                            // Re-checked in this transaction: a timer fired before it in this
                            // batch may have cancelled it (a higher level's first page drops
                            // the lower level's repeats).
                            if (mark_timer_fired(db, t.id, now)) escalation.fire(db, t, now);
                            db.exec("RELEASE timer");
                        } catch (const std::exception& e) {
                            // One broken timer must not hold back the others.
                            db.exec("ROLLBACK TO timer");
                            db.exec("RELEASE timer");
                            SQLite::Statement st(
                                db,
                                "UPDATE timers SET state = 'failed', fired_at = ? WHERE id = ?");
                            st.bind(1, static_cast<int64_t>(now));
                            st.bind(2, static_cast<int64_t>(t.id));
                            st.exec();
                            spdlog::error("timers: {} {} of {} failed: {}", t.kind, t.key,
                                          t.incident_id, e.what());
                            // Where the people running the incident look, not only in the log: a
                            // page that could not go out must not vanish quietly.
                            TimelineEvent ev;
                            ev.incident_id = t.incident_id;
                            ev.at = now;
                            ev.type = "timer_failed";
                            ev.actor = "muster";
                            ev.source = "system";
                            ev.text =
                                "Could not act on the " + t.kind + " due at " +
                                format_human_utc(t.due_at) + ": " + e.what() +
                                (t.kind == "page" ? " — page by hand with /incident page" : "");
                            try {
                                append_timeline(db, ev);
                            } catch (const std::exception& te) {
                                spdlog::error("timers: recording that failure failed too: {}",
                                              te.what());
                            }
                        }
                    }
                    return due.size();
                })
                .get();
        total += fired;
        if (fired < static_cast<std::size_t>(batch_)) return total;
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
            next = writer_
                       .call<std::optional<EpochMs>>(
                           [](SQLite::Database& db) { return next_timer_due(db); })
                       .get();
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
