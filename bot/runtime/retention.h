// Retention: delivered outbox rows, settled timers and inbound dedupe keys older than the
// configured ages are pruned in small batches (each its own short write), every few minutes, so
// no query on the request path or in the delivery loops grows with history, and the writer is
// never held for long.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "bot/domain/clock.h"
#include "bot/service/ports.h"

namespace muster {

class Retention {
  public:
    Retention(RetentionPort& port, const Clock& clock, RetentionPolicy policy,
              EpochMs every_ms = 5 * 60'000, int batch = 500)
        : port_(port), clock_(clock), policy_(policy), every_ms_(every_ms), batch_(batch) {}
    ~Retention();
    void start();
    void stop();
    // Prunes everything that is due now, batch after batch; returns how many rows.
    int run_once();

  private:
    RetentionPort& port_;
    const Clock& clock_;
    RetentionPolicy policy_;
    EpochMs every_ms_;
    int batch_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace muster
