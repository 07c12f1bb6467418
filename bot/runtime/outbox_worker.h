// Delivers queued operations after the request that wrote them has been answered. One lane
// (thread) per destination and priority, so a platform that hangs or rate-limits never holds back
// another's messages, and a page never waits behind chat messages of its own platform. Each lane
// takes the due heads of its queues (oldest first per queue), retries with exponential backoff and
// jitter, and records each outcome — with what the delivery learnt — through the storage port. It
// sleeps until notified of a commit or until the next retry falls due: no busy polling.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bot/domain/clock.h"
#include "bot/service/ports.h"

namespace muster {

struct DeliveryResult {
    enum class Kind { delivered, retry, failed } kind = Kind::delivered;
    std::string detail;                  // platform answer or error, kept on the row
    std::optional<EpochMs> retry_after;  // the platform said when (Retry-After)
    bool counts_as_attempt = true;       // false: held back by our own rate limit
    // What the delivery learnt, written in the same transaction as its outcome (a created
    // channel's id, a posted message's ts, an error on the timeline, a follow-up to queue).
    Effects learned;
    // Rows right behind this one in its queue that the delivery covered too (folded in).
    std::vector<std::int64_t> also_delivered;

    static DeliveryResult ok(std::string detail) {
        return make(Kind::delivered, std::move(detail), {});
    }
    static DeliveryResult later(std::string detail, std::optional<EpochMs> at = std::nullopt) {
        return make(Kind::retry, std::move(detail), at);
    }
    static DeliveryResult failed(std::string detail) {
        return make(Kind::failed, std::move(detail), {});
    }
    // Held back by our own rate limits: not a failed attempt, so no backoff and no warning.
    static DeliveryResult throttled(std::string detail, EpochMs at) {
        DeliveryResult r = make(Kind::retry, std::move(detail), at);
        r.counts_as_attempt = false;
        return r;
    }

  private:
    static DeliveryResult make(Kind k, std::string detail, std::optional<EpochMs> at) {
        DeliveryResult r;
        r.kind = k;
        r.detail = std::move(detail);
        r.retry_after = at;
        return r;
    }
};

// One per destination (console, slack, teams, pagerduty). Called from two lanes at once (pages
// and chat messages): must be thread-safe, and must not throw.
// A row that has waited this long in its queue means a backlog: from then on the deliverer may
// fold the rows behind it into one delivery (Deliverer::fold_limit). Slack posts ~1 message per
// second per channel, so two announcements a second apart still go out whole.
constexpr EpochMs kFoldAfterMs = 2000;

class Deliverer {
  public:
    virtual ~Deliverer() = default;
    virtual DeliveryResult deliver(const OutboxItem& item) = 0;
    // Whether sending a row again after a crash is harmless (PagerDuty folds it by dedup_key; the
    // console prints twice). Then outcomes are recorded once per round, in one commit; otherwise
    // (Slack: a second message, a second channel) each is recorded as soon as it is known.
    virtual bool resend_is_harmless() const { return false; }
    // How many rows queued right behind `head` (same queue, same kind) this deliverer can fold
    // into one delivery with it: a digest of announcements piled up in a shared channel. 0 = it
    // never folds.
    virtual int fold_limit(const OutboxItem& /*head*/) const { return 0; }
    // Delivers `head` and `followers` (at least one) as one; DeliveryResult::also_delivered must
    // list the followers it covered.
    virtual DeliveryResult deliver_folded(const OutboxItem& head,
                                          const std::vector<OutboxItem>& /*followers*/) {
        return deliver(head);
    }
};

struct RetryPolicy {
    EpochMs base_ms = 1000;
    EpochMs max_ms = 5 * 60'000;
    double jitter = 0.2;  // ± fraction
    EpochMs delay(int attempts, std::mt19937& rng) const;
};

class OutboxWorker {
  public:
    OutboxWorker(OutboxPort& outbox, const Clock& clock, RetryPolicy retry = {});
    ~OutboxWorker();

    // Before start().
    void add_deliverer(const std::string& destination, std::shared_ptr<Deliverer> d);
    void start();
    void stop();
    void notify();  // something was committed

    // Delivers everything due now, lane after lane; returns how many rows it settled. Tests call
    // this directly.
    std::size_t run_due();

    // Rows queued for destinations that nobody here delivers (the configuration changed since
    // they were written, or a ${VAR} is mistyped), by destination. They stay queued, and go out
    // once the destination is configured again; start() says so loudly in the log.
    std::map<std::string, int> waiting_for_unconfigured();

  private:
    struct Lane {
        std::string destination;
        int priority = 0;
        std::shared_ptr<Deliverer> deliverer;
        std::mt19937 rng;
        std::mutex mu;
        std::condition_variable cv;
        bool pending_notify = true;
        std::thread thread;
    };
    std::size_t run_lane(Lane& lane);
    void loop(Lane& lane);

    OutboxPort& outbox_;
    const Clock& clock_;
    RetryPolicy retry_;
    std::vector<std::unique_ptr<Lane>> lanes_;
    std::atomic<bool> stopping_{false};
};

}  // namespace muster
