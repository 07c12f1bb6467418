// Delivers the queued operations addressed to Slack: each is one operation (create the incident
// channel, invite, set the topic, post, update, answer a response_url, copy a message to the
// timeline), rendered here from its template. It classifies every Slack answer deliberately:
// success, retry later (429 with Retry-After, 5xx, timeouts, connection failures, Slack's
// transient codes), or permanent (the error is put on the incident's timeline and, where a person
// is waiting, sent to their response_url). Rate limits are kept on our side first
// (rate_limits.h). Thread-safe: the page lane and the chat lane share one deliverer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "bot/config/config.h"
#include "bot/domain/clock.h"
#include "bot/messages/incident_messages.h"
#include "bot/runtime/outbox_worker.h"
#include "bot/service/ports.h"
#include "integrations/slack/rate_limits.h"
#include "integrations/slack/web_api.h"

namespace muster::slack {

using ResponsePoster =
    std::function<ApiResponse(const std::string& url, const nlohmann::json& body)>;

// Transient Slack error codes: the same call may well succeed later.
bool is_transient(const std::string& error);

class SlackDeliverer final : public Deliverer {
  public:
    SlackDeliverer(const Config& config, std::shared_ptr<WebApi> api, const Clock& clock,
                   ChatReads& chat, const IncidentMessages& messages, ResponsePoster respond);
    DeliveryResult deliver(const OutboxItem& item) override;
    // Announcements piled up in a shared channel's queue go out as one digest (kDigestMax at
    // most), so a storm drains at ~20 incidents per Slack message instead of one per second.
    int fold_limit(const OutboxItem& head) const override;
    DeliveryResult deliver_folded(const OutboxItem& head,
                                  const std::vector<OutboxItem>& followers) override;

  private:
    struct Op;  // one operation in progress: its rate reservations
    DeliveryResult create_channel(Op& op, const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult invite(Op& op, const OutboxItem& item, const nlohmann::json& p,
                          const std::string& channel);
    DeliveryResult set_topic(Op& op, const OutboxItem& item, const nlohmann::json& p,
                             const std::string& channel);
    DeliveryResult pin(Op& op, const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult post(Op& op, const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult update(Op& op, const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult respond(const OutboxItem& item, const nlohmann::json& p);
    DeliveryResult copy_to_timeline(Op& op, const OutboxItem& item, const nlohmann::json& p);

    // Calls Slack within our rate limits; nullopt = go on with the answer, else the retry result.
    std::optional<DeliveryResult> call(Op& op, const std::string& method,
                                       const std::string& channel, const nlohmann::json& args,
                                       ApiResponse& out);
    // For an operation of `count` calls to `method`: hold it whole until the limit allows all.
    std::optional<DeliveryResult> reserve(Op& op, const std::string& method, int count);
    DeliveryResult permanent(const OutboxItem& item, const nlohmann::json& p,
                             const std::string& what, const std::string& error);
    std::optional<Message> message_of(const nlohmann::json& p, const std::string& incident,
                                      std::string& error);

    const Config& config_;
    std::shared_ptr<WebApi> api_;
    const Clock& clock_;
    ChatReads& chat_;
    const IncidentMessages& messages_;
    ResponsePoster respond_;
    RateLimits limits_;
    std::mutex suffix_mu_;
    std::map<std::string, int> next_suffix_;  // channel base name → next "-N" to try
};

}  // namespace muster::slack
