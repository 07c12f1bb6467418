// PagerDuty Events API v2 (PROTOCOLS §6) as a paging method: a contact with a
// pagerduty_routing_key is paged by a trigger; acknowledging or resolving the incident sends
// acknowledge/resolve for every dedup_key paged (unless the change came from PagerDuty: no echo).
// The deliverer POSTs each event: 202 = accepted; 400 = invalid event, never retried; 429, 5xx
// and no answer are retried with backoff. The dedup_key is stable per incident and contact, so a
// page sent twice (a crash between sending and recording) is one PagerDuty alert.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/domain/clock.h"
#include "bot/runtime/outbox_worker.h"
#include "bot/runtime/plugin_context.h"
#include "bot/runtime/plugins.h"
#include "integrations/http/json_http.h"

namespace muster::pagerduty {

// Events v2 bodies, every field within its documented limit (summary ≤ 1024 characters,
// dedup_key ≤ 255, the event ≤ 512 KB).
nlohmann::json trigger(const std::string& routing_key, const std::string& dedup_key,
                       const std::string& summary, const std::string& severity,
                       const nlohmann::json& custom_details, const std::string& link);
nlohmann::json follow_up(const std::string& routing_key, const std::string& dedup_key,
                         const std::string& action);  // acknowledge | resolve

// https://slack.com/app_redirect?channel=<id> (Slack's documented deep link to a channel).
std::string slack_channel_link(const std::string& channel_id);

class PagerDutyPaging final : public PagingMethod {
  public:
    explicit PagerDutyPaging(const Config& config) : config_(config) {}
    std::string name() const override { return "pagerduty"; }
    bool reaches(const Contact& c) const override { return !c.pagerduty_routing_key.empty(); }
    void plan_page(const PageContact& page, EpochMs at, std::vector<QueuedOp>& out) const override;
    void plan_follow_up(const PageFollowUp& f, const std::string& source, EpochMs at,
                        std::vector<QueuedOp>& out) const override;

  private:
    const Config& config_;
};

// POSTs one event. The incident's Slack channel, when it exists by the time a trigger goes out,
// is linked in it (a page never waits for the channel).
using Poster = std::function<http::ApiResponse(const nlohmann::json& body)>;
class EventsDeliverer final : public Deliverer {
  public:
    EventsDeliverer(Poster post, const Clock& clock, ChatReads* chat = nullptr)
        : post_(std::move(post)), clock_(clock), chat_(chat) {}
    DeliveryResult deliver(const OutboxItem& item) override;
    bool resend_is_harmless() const override { return true; }  // same dedup_key, same alert

  private:
    Poster post_;
    const Clock& clock_;
    ChatReads* chat_;
};

// Registers PagerDuty when some contact has a routing key.
void install_pagerduty(PluginContext& ctx);

}  // namespace muster::pagerduty
