// Delivers outbox rows after the request that wrote them has been answered: oldest first per
// channel, retried with exponential backoff and jitter, each outcome recorded through the Writer.
// It sleeps until it is notified of a commit or the next retry falls due: no busy polling.
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

#include "bot/clock.h"
#include "storage/outbox_store.h"
#include "storage/writer.h"

namespace muster {

struct DeliveryResult {
    enum class Kind { delivered, retry, failed } kind = Kind::delivered;
    std::string detail;                  // platform answer or error, kept on the row
    std::optional<EpochMs> retry_after;  // the platform said when (Retry-After)
    // What the delivery learnt, written in the same transaction that records the outcome
    // (a created channel's id, a posted message's ts, an error on the timeline).
    std::function<void(SQLite::Database&)> record;

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
    bool counts_as_attempt = true;

  private:
    static DeliveryResult make(Kind k, std::string detail, std::optional<EpochMs> at) {
        DeliveryResult r;
        r.kind = k;
        r.detail = std::move(detail);
        r.retry_after = at;
        return r;
    }
};

// One per destination (console, slack, teams, pagerduty). Must not throw.
class Deliverer {
  public:
    virtual ~Deliverer() = default;
    virtual DeliveryResult deliver(const OutboxItem& item) = 0;
    // Whether sending a row again after a crash is harmless (PagerDuty folds it by dedup_key; the
    // console prints twice). Then outcomes are recorded once per round, in one commit; otherwise
    // (Slack: a second message, a second channel) each is recorded as soon as it is known.
    virtual bool resend_is_harmless() const { return false; }
};

struct RetryPolicy {
    EpochMs base_ms = 1000;
    EpochMs max_ms = 5 * 60'000;
    double jitter = 0.2;  // ± fraction
    EpochMs delay(int attempts, std::mt19937& rng) const;
};

// One lane (thread) per destination, so a platform that hangs or rate-limits (Slack timing out
// for 10 s a call) never holds back another's messages (a PagerDuty page that is due).
class OutboxWorker {
  public:
    OutboxWorker(Writer& writer, const Clock& clock, RetryPolicy retry = {});
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
        std::shared_ptr<Deliverer> deliverer;
        std::mt19937 rng;
        std::mutex mu;
        std::condition_variable cv;
        bool pending_notify = true;
        std::thread thread;
    };
    std::size_t run_lane(Lane& lane);
    void loop(Lane& lane);

    Writer& writer_;
    const Clock& clock_;
    RetryPolicy retry_;
    std::map<std::string, std::unique_ptr<Lane>> lanes_;
    std::atomic<bool> stopping_{false};
};

}  // namespace muster
