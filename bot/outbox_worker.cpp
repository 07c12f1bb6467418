#include "bot/outbox_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>

namespace muster {

EpochMs RetryPolicy::delay(int attempts, std::mt19937& rng) const {
    EpochMs d = base_ms;
    for (int i = 0; i < attempts && d < max_ms; ++i) d *= 2;
    d = std::min(d, max_ms);
    std::uniform_real_distribution<double> j(1.0 - jitter, 1.0 + jitter);
    return static_cast<EpochMs>(static_cast<double>(d) * j(rng));
}

namespace {
void record_outcome(SQLite::Database& db, std::int64_t id, const DeliveryResult& r, EpochMs at,
                    EpochMs next) {
    if (r.record) {
        // What a delivery learnt must not undo the record of the delivery.
        try {
            db.exec("SAVEPOINT record");
            r.record(db);
            db.exec("RELEASE record");
        } catch (const std::exception& e) {
            db.exec("ROLLBACK TO record");
            db.exec("RELEASE record");
            spdlog::error("outbox: recording the result of #{} failed: {}", id, e.what());
        }
    }
    switch (r.kind) {
        case DeliveryResult::Kind::delivered:
            mark_outbox_delivered(db, id, at, r.detail);
            break;
        case DeliveryResult::Kind::retry:
            mark_outbox_retry(db, id, next, r.detail, r.counts_as_attempt);
            break;
        case DeliveryResult::Kind::failed:
            mark_outbox_failed(db, id, at, r.detail);
            break;
    }
}
}  // namespace

OutboxWorker::OutboxWorker(Writer& writer, const Clock& clock, RetryPolicy retry)
    : writer_(writer), clock_(clock), retry_(retry) {}

OutboxWorker::~OutboxWorker() {
    stop();
}

void OutboxWorker::add_deliverer(const std::string& destination, std::shared_ptr<Deliverer> d) {
    auto lane = std::make_unique<Lane>();
    lane->destination = destination;
    lane->deliverer = std::move(d);
    lane->rng.seed(std::random_device{}());
    lanes_[destination] = std::move(lane);
}

void OutboxWorker::start() {
    try {
        for (const auto& [dest, n] : waiting_for_unconfigured())
            spdlog::error(
                "outbox: {} message(s) wait for '{}', which is not configured here: they stay "
                "queued and go out once it is (check the configuration and its ${{…}} variables)",
                n, dest);
    } catch (const std::exception& e) {
        spdlog::error("outbox: {}", e.what());
    }
    for (auto& [dest, lane] : lanes_) {
        Lane* l = lane.get();
        l->thread = std::thread([this, l] { loop(*l); });
    }
}

void OutboxWorker::stop() {
    stopping_ = true;
    for (auto& [dest, lane] : lanes_) {
        { std::lock_guard<std::mutex> lk(lane->mu); }
        lane->cv.notify_all();
        if (lane->thread.joinable()) lane->thread.join();
    }
}

void OutboxWorker::notify() {
    for (auto& [dest, lane] : lanes_) {
        {
            std::lock_guard<std::mutex> lk(lane->mu);
            lane->pending_notify = true;
        }
        lane->cv.notify_one();
    }
}

std::size_t OutboxWorker::run_due() {
    std::size_t settled = 0;
    for (auto& [dest, lane] : lanes_) settled += run_lane(*lane);
    return settled;
}

std::map<std::string, int> OutboxWorker::waiting_for_unconfigured() {
    auto pending = writer_
                       .call<std::map<std::string, int>>(
                           [](SQLite::Database& db) { return pending_outbox_by_destination(db); })
                       .get();
    for (const auto& [dest, lane] : lanes_) pending.erase(dest);
    return pending;
}

std::size_t OutboxWorker::run_lane(Lane& lane) {
    std::size_t settled = 0;
    const std::string dest = lane.destination;
    for (;;) {
        const EpochMs now = clock_.now_ms();
        auto due = writer_
                       .call<std::vector<OutboxItem>>([now, dest](SQLite::Database& db) {
                           return due_outbox(db, now, 64, dest);
                       })
                       .get();
        if (due.empty()) return settled;
        // Outcomes go to the writer without waiting for it (it group-commits them with whatever
        // else is queued). Where a resend would be visible, each goes as soon as it is known, so a
        // crash right after a delivery repeats at most what was in flight; elsewhere one job per
        // round keeps the commits (fsyncs) few.
        struct Outcome {
            std::int64_t id;
            DeliveryResult result;
            EpochMs at, next;
        };
        std::vector<std::future<int>> recorded;
        std::vector<Outcome> unrecorded;
        auto flush = [&] {
            if (unrecorded.empty()) return;
            recorded.push_back(
                writer_.call<int>([outcomes = std::move(unrecorded)](SQLite::Database& db) {
                    for (const auto& o : outcomes) record_outcome(db, o.id, o.result, o.at, o.next);
                    return static_cast<int>(outcomes.size());
                }));
            unrecorded.clear();
        };
        const bool batch = lane.deliverer->resend_is_harmless();
        std::size_t delivered = 0;
        for (auto& item : due) {
            if (stopping_) break;
            DeliveryResult r;
            try {
                r = lane.deliverer->deliver(item);
            } catch (const std::exception& e) {
                r = DeliveryResult::later(e.what());
            }
            const EpochMs at = clock_.now_ms();
            EpochMs next = 0;
            if (r.kind == DeliveryResult::Kind::retry)
                next = r.retry_after ? *r.retry_after : at + retry_.delay(item.attempts, lane.rng);
            if (r.kind == DeliveryResult::Kind::failed)
                spdlog::error("outbox: {} #{} to {} failed for good: {}", item.kind, item.id,
                              item.destination, r.detail);
            else if (r.kind == DeliveryResult::Kind::retry && !r.counts_as_attempt)
                spdlog::debug("outbox: {} #{} to {} waits: {}", item.kind, item.id,
                              item.destination, r.detail);
            else if (r.kind == DeliveryResult::Kind::retry)
                spdlog::warn("outbox: {} #{} to {} will be retried: {}", item.kind, item.id,
                             item.destination, r.detail);
            unrecorded.push_back({item.id, std::move(r), at, next});
            ++delivered;
            if (!batch) flush();
        }
        flush();
        for (auto& f : recorded) f.get();  // storage trouble surfaces here, to the loop
        settled += delivered;
        if (stopping_) return settled;
    }
}

void OutboxWorker::loop(Lane& lane) {
    for (;;) {
        {
            std::lock_guard<std::mutex> lk(lane.mu);
            if (stopping_) return;
            lane.pending_notify = false;
        }
        std::optional<EpochMs> next;
        try {
            run_lane(lane);
            const std::string dest = lane.destination;
            next = writer_
                       .call<std::optional<EpochMs>>(
                           [dest](SQLite::Database& db) { return next_outbox_due(db, dest); })
                       .get();
        } catch (const std::exception& e) {
            spdlog::error("outbox ({}): {}", lane.destination, e.what());
            next = clock_.now_ms() + 1000;  // storage trouble: look again soon
        }
        std::unique_lock<std::mutex> lk(lane.mu);
        auto wake = [&] { return stopping_ || lane.pending_notify; };
        if (next) {
            const EpochMs wait = std::max<EpochMs>(0, *next - clock_.now_ms());
            lane.cv.wait_for(lk, std::chrono::milliseconds(wait), wake);
        } else {
            lane.cv.wait(lk, wake);
        }
    }
}

}  // namespace muster
