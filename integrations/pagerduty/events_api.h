// PagerDuty Events API v2 (PROTOCOLS §6): the bodies Muster sends to page, acknowledge and resolve,
// and the outbox deliverer that POSTs them. 202 = accepted; 400 = invalid event, never retried;
// 429 and 5xx (and no answer) are retried with backoff. The dedup_key is stable per incident and
// contact, so a page sent twice (a crash between sending and recording) is one PagerDuty incident.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/clock.h"
#include "bot/outbox_worker.h"
#include "integrations/slack/web_api.h"

namespace muster::pagerduty {

std::string dedup_key(const std::string& incident_id, const std::string& contact);

nlohmann::json trigger(const std::string& routing_key, const std::string& dedup_key,
                       const std::string& summary, const std::string& severity,
                       const nlohmann::json& custom_details, const std::string& link);
nlohmann::json follow_up(const std::string& routing_key, const std::string& dedup_key,
                         const std::string& action);  // acknowledge | resolve

using Poster =
    std::function<slack::ApiResponse(const std::string& url, const nlohmann::json& body)>;

// The incident's Slack channel once it exists: id and "#name".
struct ChannelRef {
    std::string id, name;
};
using ChannelLookup = std::function<std::optional<ChannelRef>(const std::string& incident_id)>;

// https://slack.com/app_redirect?channel=<id> (Slack's documented deep link to a channel).
std::string slack_channel_link(const std::string& channel_id);

class EventsDeliverer final : public Deliverer {
  public:
    // `channel`, when given, is asked at send time: a trigger carries the incident channel's name
    // and a link to it if the channel exists by then. A page never waits for the channel.
    EventsDeliverer(std::string events_url, Poster post, const Clock& clock,
                    ChannelLookup channel = {})
        : url_(std::move(events_url)),
          post_(std::move(post)),
          clock_(clock),
          channel_(std::move(channel)) {}
    DeliveryResult deliver(const OutboxItem& item) override;
    bool resend_is_harmless() const override { return true; }  // same dedup_key, same alert

  private:
    std::string url_;
    Poster post_;
    const Clock& clock_;
    ChannelLookup channel_;
};

}  // namespace muster::pagerduty
