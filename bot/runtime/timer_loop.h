// The one timer loop (DESIGN §4): sleeps until the earliest pending timer is due (or a commit may
// have added an earlier one), then decides each due timer on its incident's current state (the
// incident service) and applies the decision: the timer is consumed and its effects (pages,
// new timers, timeline) are written in one transaction, only if the timer is still pending and
// the incident unchanged — so a timer fires exactly once, even across kill -9, and never after an
// acknowledgement that came in meanwhile. At start-up, whatever fell due while Muster was down is
// simply due now.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "bot/domain/clock.h"
#include "bot/runtime/dispatch.h"
#include "bot/service/incident_service.h"
#include "bot/service/ports.h"

namespace muster {

class TimerLoop {
  public:
    TimerLoop(TimerPort& timers, IncidentReads& reads, const IncidentService& service,
              const Dispatch& dispatch, Committer& committer, const Clock& clock, int batch = 500)
        : timers_(timers),
          reads_(reads),
          service_(service),
          dispatch_(dispatch),
          committer_(committer),
          clock_(clock),
          batch_(batch) {}
    ~TimerLoop();

    // What a due timer that belongs to no incident (a heartbeat's deadline) does: the Effects
    // to apply, which consume it. Without one such timers are consumed and logged.
    using Unbound = std::function<Effects(const Timer&, EpochMs now)>;
    void on_unbound(Unbound fn) { unbound_ = std::move(fn); }

    void start();
    void stop();
    void notify();
    // Fires every timer due at clock.now_ms(); returns how many it settled (tests call this).
    std::size_t run_due();

  private:
    void loop();

    TimerPort& timers_;
    IncidentReads& reads_;
    const IncidentService& service_;
    const Dispatch& dispatch_;
    Committer& committer_;
    const Clock& clock_;
    const int batch_;
    Unbound unbound_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool notified_ = true;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace muster
