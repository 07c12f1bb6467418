// The one timer loop (DESIGN §4): sleeps until the earliest pending timer row is due (or a commit
// may have added an earlier one), then fires everything due in one transaction per batch: the
// timer is marked fired and its effects (pages in the outbox, new timers, timeline events) are
// written together, so a timer fires exactly once even across kill -9. At start-up, whatever fell
// due while Muster was down is simply due now.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "bot/clock.h"
#include "bot/escalation.h"
#include "storage/writer.h"

namespace muster {

class TimerLoop {
  public:
    TimerLoop(Writer& writer, const Clock& clock, const Escalation& escalation, int batch = 500)
        : writer_(writer), clock_(clock), escalation_(escalation), batch_(batch) {}
    ~TimerLoop();

    void start();
    void stop();
    void notify();
    // Fires every timer due at clock.now_ms(); returns how many (tests call this directly).
    std::size_t run_due();

  private:
    void loop();

    Writer& writer_;
    const Clock& clock_;
    const Escalation& escalation_;
    const int batch_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool notified_ = true;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace muster
