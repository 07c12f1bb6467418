// Delivers outbox rows after the request that wrote them has been answered: oldest first per
// channel, retried with exponential backoff and jitter, each outcome recorded through the Writer.
// It sleeps until it is notified of a commit or the next retry falls due: no busy polling.
#pragma once

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
};

struct RetryPolicy {
    EpochMs base_ms = 1000;
    EpochMs max_ms = 5 * 60'000;
    double jitter = 0.2;  // ± fraction
    EpochMs delay(int attempts, std::mt19937& rng) const;
};

class OutboxWorker {
  public:
    OutboxWorker(Writer& writer, const Clock& clock, RetryPolicy retry = {});
    ~OutboxWorker();

    void add_deliverer(const std::string& destination, std::shared_ptr<Deliverer> d);
    void start();
    void stop();
    void notify();  // something was committed

    // Delivers everything due now; returns how many rows it settled (tests call this directly).
    std::size_t run_due();

  private:
    void loop();

    Writer& writer_;
    const Clock& clock_;
    RetryPolicy retry_;
    std::mt19937 rng_;
    std::map<std::string, std::shared_ptr<Deliverer>> deliverers_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool pending_notify_ = true;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace muster
