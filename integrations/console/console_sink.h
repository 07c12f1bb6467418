// The console chat sink: with no Slack or Teams configured, every message the bot would post is
// printed readably, so a newcomer sees the whole incident flow with only curl.
#pragma once

#include <mutex>
#include <ostream>

#include "bot/outbox_worker.h"

namespace muster {

class ConsoleSink final : public Deliverer {
  public:
    explicit ConsoleSink(std::ostream& out) : out_(out) {}
    DeliveryResult deliver(const OutboxItem& item) override;
    bool resend_is_harmless() const override { return true; }

  private:
    std::ostream& out_;
    std::mutex mu_;
};

}  // namespace muster
