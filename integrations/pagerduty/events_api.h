// PagerDuty Events API v2 (PROTOCOLS §6): the bodies Muster sends to page, acknowledge and resolve,
// and the outbox deliverer that POSTs them. 202 = accepted; 400 = invalid event, never retried;
// 429 and 5xx (and no answer) are retried with backoff. The dedup_key is stable per incident and
// contact, so a page sent twice (a crash between sending and recording) is one PagerDuty incident.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/clock.h"
#include "bot/outbox_worker.h"
#include "integrations/slack/web_api.h"

namespace muster::pagerduty {

// P0 → critical, P1 → error, P2 → warning, anything else → info.
std::string severity_for(const std::string& muster_severity);
std::string dedup_key(const std::string& incident_id, const std::string& contact);

nlohmann::json trigger(const std::string& routing_key, const std::string& dedup_key,
                       const std::string& summary, const std::string& severity,
                       const nlohmann::json& custom_details, const std::string& link);
nlohmann::json follow_up(const std::string& routing_key, const std::string& dedup_key,
                         const std::string& action);  // acknowledge | resolve

using Poster =
    std::function<slack::ApiResponse(const std::string& url, const nlohmann::json& body)>;

class EventsDeliverer final : public Deliverer {
  public:
    EventsDeliverer(std::string events_url, Poster post, const Clock& clock)
        : url_(std::move(events_url)), post_(std::move(post)), clock_(clock) {}
    DeliveryResult deliver(const OutboxItem& item) override;

  private:
    std::string url_;
    Poster post_;
    const Clock& clock_;
};

}  // namespace muster::pagerduty
