#include "bot/runtime/outbox_worker.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>

namespace muster {

namespace {
constexpr int kChatNice = 10;
}  // namespace

EpochMs RetryPolicy::delay(int attempts, std::mt19937& rng) const {
    EpochMs d = base_ms;
    for (int i = 0; i < attempts && d < max_ms; ++i) d *= 2;
    d = std::min(d, max_ms);
    std::uniform_real_distribution<double> j(1.0 - jitter, 1.0 + jitter);
    return static_cast<EpochMs>(static_cast<double>(d) * j(rng));
}

OutboxWorker::OutboxWorker(OutboxPort& outbox, const Clock& clock, RetryPolicy retry)
    : outbox_(outbox), clock_(clock), retry_(retry) {}

OutboxWorker::~OutboxWorker() {
    stop();
}

void OutboxWorker::add_deliverer(const std::string& destination, std::shared_ptr<Deliverer> d) {
    for (int priority : {kPagePriority, kChatPriority}) {
        auto lane = std::make_unique<Lane>();
        lane->destination = destination;
        lane->priority = priority;
        lane->deliverer = d;
        lane->rng.seed(std::random_device{}());
        lanes_.push_back(std::move(lane));
    }
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
    for (auto& lane : lanes_) {
        Lane* l = lane.get();
        l->thread = std::thread([this, l] {
            const std::string name =
                (l->priority == kPagePriority ? "pages:" : "chat:") + l->destination;
            pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
            // Chat lanes yield the CPU to intake and to pages: answering Slack within its 3 s
            // and paging on time matter more than a channel message a few ms sooner. On an idle
            // machine a nice thread still gets all the CPU it wants.
            if (l->priority != kPagePriority)
                setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kChatNice);
            loop(*l);
        });
    }
}

void OutboxWorker::stop() {
    stopping_ = true;
    for (auto& lane : lanes_) {
        { std::lock_guard<std::mutex> lk(lane->mu); }
        lane->cv.notify_all();
        if (lane->thread.joinable()) lane->thread.join();
    }
}

void OutboxWorker::notify() {
    for (auto& lane : lanes_) {
        {
            std::lock_guard<std::mutex> lk(lane->mu);
            lane->pending_notify = true;
        }
        lane->cv.notify_one();
    }
}

std::size_t OutboxWorker::run_due() {
    std::size_t settled = 0;
    for (auto& lane : lanes_) settled += run_lane(*lane);
    return settled;
}

std::map<std::string, int> OutboxWorker::waiting_for_unconfigured() {
    auto pending = outbox_.pending_by_destination();
    for (const auto& lane : lanes_) pending.erase(lane->destination);
    return pending;
}

std::size_t OutboxWorker::run_lane(Lane& lane) {
    std::size_t settled = 0;
    for (;;) {
        const auto due = outbox_.due(lane.destination, lane.priority, clock_.now_ms(), 64);
        if (due.empty()) return settled;
        // Outcomes go to the writer without waiting for each (it group-commits them with
        // whatever else is queued). Where a resend would be visible, each goes as soon as it is
        // known, so a crash right after a delivery repeats at most what was in flight; elsewhere
        // one record per round keeps the commits (fsyncs) few. The round ends when all are
        // recorded, so the next look at the queue never hands out a row twice.
        std::vector<std::future<bool>> recorded;
        std::vector<DeliveryOutcome> unrecorded;
        auto flush = [&] {
            if (unrecorded.empty()) return;
            auto done = std::make_shared<std::promise<bool>>();
            recorded.push_back(done->get_future());
            if (!outbox_.record(std::move(unrecorded), [done](bool ok) { done->set_value(ok); }))
                done->set_value(false);
            unrecorded.clear();
        };
        const bool batch = lane.deliverer->resend_is_harmless();
        for (const auto& item : due) {
            if (stopping_) break;
            DeliveryResult r;
            try {
                // A shared channel's backlog goes out as digests (Deliverer::fold_limit) once
                // its head has waited kFoldAfterMs: a quiet channel gets every message whole.
                const int fold = clock_.now_ms() - item.created_at >= kFoldAfterMs
                                     ? lane.deliverer->fold_limit(item)
                                     : 0;
                const auto followers =
                    fold > 0 ? outbox_.followers(item, fold) : std::vector<OutboxItem>{};
                r = followers.empty() ? lane.deliverer->deliver(item)
                                      : lane.deliverer->deliver_folded(item, followers);
            } catch (const std::exception& e) {
                r = DeliveryResult::later(e.what());
            }
            DeliveryOutcome o;
            o.id = item.id;
            o.queue = item.queue;
            o.at = clock_.now_ms();
            o.detail = r.detail;
            o.counts_as_attempt = r.counts_as_attempt;
            o.learned = std::move(r.learned);
            o.also_delivered = std::move(r.also_delivered);
            switch (r.kind) {
                case DeliveryResult::Kind::delivered:
                    o.kind = DeliveryOutcome::Kind::delivered;
                    break;
                case DeliveryResult::Kind::retry:
                    o.kind = DeliveryOutcome::Kind::retry;
                    o.next_attempt_at = r.retry_after
                                            ? *r.retry_after
                                            : o.at + retry_.delay(item.attempts, lane.rng);
                    if (r.counts_as_attempt)
                        spdlog::warn("outbox: {} #{} to {} will be retried: {}", item.kind, item.id,
                                     item.destination, r.detail);
                    else
                        spdlog::debug("outbox: {} #{} to {} waits: {}", item.kind, item.id,
                                      item.destination, r.detail);
                    break;
                case DeliveryResult::Kind::failed:
                    o.kind = DeliveryOutcome::Kind::failed;
                    spdlog::error("outbox: {} #{} to {} failed for good: {}", item.kind, item.id,
                                  item.destination, r.detail);
                    break;
            }
            unrecorded.push_back(std::move(o));
            ++settled;
            if (!batch) flush();
        }
        flush();
        bool all_recorded = true;
        for (auto& f : recorded) all_recorded = f.get() && all_recorded;
        if (!all_recorded) throw std::runtime_error("outcomes not recorded (storage trouble)");
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
            next = outbox_.next_due(lane.destination, lane.priority);
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
