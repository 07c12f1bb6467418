// The console's deliverer: renders each queued message from its template and prints it, framed
// with the channel it stands for. Control characters in user text are shown escaped: this is a
// terminal.
#pragma once

#include <mutex>
#include <ostream>

#include "bot/messages/incident_messages.h"
#include "bot/runtime/outbox_worker.h"

namespace muster {

class ConsoleSink final : public Deliverer {
  public:
    ConsoleSink(std::ostream& out, const IncidentMessages& messages)
        : out_(out), messages_(messages) {}
    DeliveryResult deliver(const OutboxItem& item) override;
    bool resend_is_harmless() const override { return true; }
    // Announcements piled up in a shared channel print as one digest (kDigestMax at most).
    int fold_limit(const OutboxItem& head) const override;
    DeliveryResult deliver_folded(const OutboxItem& head,
                                  const std::vector<OutboxItem>& followers) override;

  private:
    void print(const std::string& channel, const OutboxItem& item, const std::string& body);

    std::ostream& out_;
    const IncidentMessages& messages_;
    std::mutex mu_;
};

}  // namespace muster
