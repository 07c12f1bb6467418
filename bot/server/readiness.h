// /healthz says the process serves; /readyz says it can take writes: the database accepted a
// write within the last second, and the server is not draining.
#pragma once

#include <atomic>

#include "bot/domain/clock.h"
#include "bot/server/http_server.h"
#include "bot/service/ports.h"

namespace muster {

class Readiness {
  public:
    Readiness(Committer& committer, const Clock& clock) : committer_(committer), clock_(clock) {}
    void set_draining() { draining_ = true; }
    bool draining() const { return draining_.load(); }
    void check(const Responder& respond);

  private:
    Committer& committer_;
    const Clock& clock_;
    std::atomic<bool> draining_{false};
    std::atomic<EpochMs> last_ok_{0};
};

}  // namespace muster
