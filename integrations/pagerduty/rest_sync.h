// Two-way sync with PagerDuty (issue 9): when an incident linked to a PagerDuty incident (one
// PagerDuty opened, or one Muster's page opened) is acknowledged or resolved anywhere but in
// PagerDuty, its PagerDuty incident follows, through the REST API (`PUT /incidents/{id}`,
// `Authorization: Token token=…`, `From: <pagerduty.from>`), from the outbox at page priority.
// A change that came from PagerDuty is not sent back (no echo), and the webhook PagerDuty sends
// for our own update changes nothing here (the incident is already in that state).
#pragma once

#include <functional>
#include <memory>

#include "bot/runtime/outbox_worker.h"
#include "bot/runtime/plugin_context.h"
#include "bot/runtime/plugins.h"
#include "integrations/http/json_http.h"

namespace muster::pagerduty {

class PagerDutySync final : public ChatPlatform {
  public:
    explicit PagerDutySync(AlertReads& links) : links_(links) {}
    std::string name() const override { return "pagerduty_api"; }
    void plan(const Notification& n, const std::string& source, EpochMs at,
              std::vector<QueuedOp>& out) const override;

  private:
    AlertReads& links_;
};

// PUTs one status change. 2xx: done; 429, 5xx, no answer: later; any other 4xx: failed for
// good, on the incident's timeline.
using Putter = std::function<http::ApiResponse(const std::string& path, const nlohmann::json&)>;
class RestDeliverer final : public Deliverer {
  public:
    RestDeliverer(Putter put, const Clock& clock) : put_(std::move(put)), clock_(clock) {}
    DeliveryResult deliver(const OutboxItem& item) override;
    bool resend_is_harmless() const override { return true; }  // the same status twice

  private:
    Putter put_;
    const Clock& clock_;
};

void install_pagerduty_sync(PluginContext& ctx);

}  // namespace muster::pagerduty
