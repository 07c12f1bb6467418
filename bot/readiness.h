// /healthz says the process serves; /readyz says it can take writes: the database accepted a
// write within the last second, and the server is not draining.
#pragma once

#include <atomic>
#include <mutex>

#include "bot/clock.h"
#include "bot/http_server.h"
#include "storage/writer.h"

namespace muster {

class Readiness {
  public:
    Readiness(Writer& writer, const Clock& clock) : writer_(writer), clock_(clock) {}
    void set_draining() { draining_ = true; }
    bool draining() const { return draining_.load(); }
    void check(const Responder& respond);

  private:
    Writer& writer_;
    const Clock& clock_;
    std::atomic<bool> draining_{false};
    std::atomic<EpochMs> last_ok_{0};
};

}  // namespace muster
