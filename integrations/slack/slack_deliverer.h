// Delivers the outbox rows addressed to Slack: each row is one operation (create the incident
// channel, invite, set the topic, post, update, answer a response_url, copy a message to the
// timeline). It classifies every Slack answer deliberately: success, retry later (429 with
// Retry-After, 5xx, timeouts, connection failures, Slack's transient codes), or permanent (the
// error is put on the incident's timeline and, where a person is waiting, sent to their
// response_url). Rate limits are kept on our side first (rate_limits.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bot/clock.h"
#include "bot/outbox_worker.h"
#include "integrations/slack/rate_limits.h"
#include "integrations/slack/web_api.h"
#include "storage/incident_store.h"

namespace muster::slack {

// Reads the deliverer needs at delivery time (through the Writer, from the worker thread).
struct Lookups {
    std::function<std::optional<std::string>(const std::string& incident_id)> incident_channel;
    std::function<std::vector<ChatMessage>(const std::string& incident_id,
                                           const std::string& purpose)>
        messages;
    // The highest "-N" Muster has used for a channel base name (0: none), so a burst of
    // declarations with one title starts each create at the next free number.
    std::function<int(const std::string& base)> last_suffix;
};

using ResponsePoster =
    std::function<ApiResponse(const std::string& url, const nlohmann::json& body)>;

// Transient Slack error codes: the same call may well succeed later.
bool is_transient(const std::string& error);

class SlackDeliverer final : public Deliverer {
  public:
    SlackDeliverer(WebApi& api, const Clock& clock, Lookups lookups, ResponsePoster respond);
    DeliveryResult deliver(const OutboxItem& item) override;

  private:
    struct Step;
    DeliveryResult create_channel(const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult invite(const OutboxItem& item, const nlohmann::json& p,
                          const std::string& channel);
    DeliveryResult set_topic(const OutboxItem& item, const nlohmann::json& p,
                             const std::string& channel);
    DeliveryResult post(const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult update(const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult respond(const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult copy_to_timeline(const OutboxItem& item, const nlohmann::json& p);

    // Calls Slack within our rate limits; nullopt = go on with the answer, else the retry result.
    std::optional<DeliveryResult> call(const std::string& method, const std::string& channel,
                                       const nlohmann::json& args, ApiResponse& out);
    // For an operation of `count` calls to `method`: hold it whole until the limit allows all.
    std::optional<DeliveryResult> reserve(const std::string& method, int count);
    DeliveryResult permanent(const OutboxItem& item, const nlohmann::json& p,
                             const std::string& what, const std::string& error);

    WebApi& api_;
    const Clock& clock_;
    Lookups lookups_;
    ResponsePoster respond_;
    RateLimits limits_;
    std::map<std::string, int> next_suffix_;  // channel base name → next "-N" to try
    std::map<std::string, int> reserved_;     // calls already counted by reserve()
};

}  // namespace muster::slack
