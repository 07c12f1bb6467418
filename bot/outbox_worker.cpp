#include "bot/outbox_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace muster {

EpochMs RetryPolicy::delay(int attempts, std::mt19937& rng) const {
    EpochMs d = base_ms;
    for (int i = 0; i < attempts && d < max_ms; ++i) d *= 2;
    d = std::min(d, max_ms);
    std::uniform_real_distribution<double> j(1.0 - jitter, 1.0 + jitter);
    return static_cast<EpochMs>(static_cast<double>(d) * j(rng));
}

OutboxWorker::OutboxWorker(Writer& writer, const Clock& clock, RetryPolicy retry)
    : writer_(writer), clock_(clock), retry_(retry), rng_(std::random_device{}()) {}

OutboxWorker::~OutboxWorker() {
    stop();
}

void OutboxWorker::add_deliverer(const std::string& destination, std::shared_ptr<Deliverer> d) {
    deliverers_[destination] = std::move(d);
}

void OutboxWorker::start() {
    thread_ = std::thread([this] { loop(); });
}

void OutboxWorker::stop() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OutboxWorker::notify() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        pending_notify_ = true;
    }
    cv_.notify_one();
}

std::size_t OutboxWorker::run_due() {
    std::size_t settled = 0;
    for (;;) {
        const EpochMs now = clock_.now_ms();
        auto due = writer_
                       .call<std::vector<OutboxItem>>(
                           [now](SQLite::Database& db) { return due_outbox(db, now, 64); })
                       .get();
        if (due.empty()) return settled;
        // Deliver every channel head that is due, then record all outcomes in one write: one
        // commit per round instead of one per message keeps the writer free for requests.
        struct Outcome {
            const OutboxItem* item;
            DeliveryResult result;
            EpochMs at, next;
        };
        std::vector<Outcome> outcomes;
        outcomes.reserve(due.size());
        for (const auto& item : due) {
            DeliveryResult r;
            const auto it = deliverers_.find(item.destination);
            if (it == deliverers_.end()) {
                r = DeliveryResult::failed("no deliverer for " + item.destination);
            } else {
                try {
                    r = it->second->deliver(item);
                } catch (const std::exception& e) {
                    r = DeliveryResult::later(e.what());
                }
            }
            const EpochMs done_at = clock_.now_ms();
            EpochMs next = 0;
            if (r.kind == DeliveryResult::Kind::retry)
                next = r.retry_after ? *r.retry_after : done_at + retry_.delay(item.attempts, rng_);
            if (r.kind == DeliveryResult::Kind::failed)
                spdlog::error("outbox: {} #{} to {} failed for good: {}", item.kind, item.id,
                              item.destination, r.detail);
            else if (r.kind == DeliveryResult::Kind::retry && !r.counts_as_attempt)
                spdlog::debug("outbox: {} #{} to {} waits: {}", item.kind, item.id,
                              item.destination, r.detail);
            else if (r.kind == DeliveryResult::Kind::retry)
                spdlog::warn("outbox: {} #{} to {} will be retried: {}", item.kind, item.id,
                             item.destination, r.detail);
            outcomes.push_back({&item, std::move(r), done_at, next});
        }
        writer_
            .call<int>([&outcomes](SQLite::Database& db) {
                for (const auto& o : outcomes) {
                    if (o.result.record) {
                        // What a delivery learnt must not undo the record of the delivery.
                        try {
                            db.exec("SAVEPOINT record");
                            o.result.record(db);
                            db.exec("RELEASE record");
                        } catch (const std::exception& e) {
                            db.exec("ROLLBACK TO record");
                            db.exec("RELEASE record");
                            spdlog::error("outbox: recording the result of #{} failed: {}",
                                          o.item->id, e.what());
                        }
                    }
                    switch (o.result.kind) {
                        case DeliveryResult::Kind::delivered:
                            mark_outbox_delivered(db, o.item->id, o.at, o.result.detail);
                            break;
                        case DeliveryResult::Kind::retry:
                            mark_outbox_retry(db, o.item->id, o.next, o.result.detail,
                                              o.result.counts_as_attempt);
                            break;
                        case DeliveryResult::Kind::failed:
                            mark_outbox_failed(db, o.item->id, o.at, o.result.detail);
                            break;
                    }
                }
                return 0;
            })
            .get();
        settled += outcomes.size();
    }
}

void OutboxWorker::loop() {
    for (;;) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (stopping_) return;
            pending_notify_ = false;
        }
        std::optional<EpochMs> next;
        try {
            run_due();
            next = writer_
                       .call<std::optional<EpochMs>>(
                           [](SQLite::Database& db) { return next_outbox_due(db); })
                       .get();
        } catch (const std::exception& e) {
            spdlog::error("outbox: {}", e.what());
            next = clock_.now_ms() + 1000;  // storage trouble: look again soon
        }
        std::unique_lock<std::mutex> lk(mu_);
        auto wake = [&] { return stopping_ || pending_notify_; };
        if (next) {
            const EpochMs wait = std::max<EpochMs>(0, *next - clock_.now_ms());
            cv_.wait_for(lk, std::chrono::milliseconds(wait), wake);
        } else {
            cv_.wait(lk, wake);
        }
    }
}

}  // namespace muster
