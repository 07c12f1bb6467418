// The two kinds of plug-in (DESIGN "Registries"): a chat platform (console, Slack, Teams) and a
// paging method (PagerDuty Events v2, Slack DM, console, later Teams DM and a signed webhook).
// Each turns neutral notifications into its own queued operations — cheap values planned before
// the write, rendered and sent later by its deliverer (bot/runtime/outbox_worker.h). Adding one is
// a folder under integrations/ and one line of wiring in bot/app.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/effects.h"
#include "bot/domain/notification.h"

namespace muster {

class ChatPlatform {
  public:
    virtual ~ChatPlatform() = default;
    virtual std::string name() const = 0;
    // A channel this platform has at once for a new incident (the console): its binding, and the
    // name suffix it used. Most platforms create channels later, in delivery.
    virtual std::optional<ChannelBinding> open_channel_now(const Incident&, EpochMs,
                                                           std::vector<ChannelSuffix>&) {
        return std::nullopt;
    }
    virtual bool opens_channel_later() const { return false; }
    // The operations that carry out `n` here (none: not this platform's business). `source` is
    // where the change came from.
    virtual void plan(const Notification& n, const std::string& source, EpochMs at,
                      std::vector<QueuedOp>& out) const = 0;
};

class PagingMethod {
  public:
    virtual ~PagingMethod() = default;
    virtual std::string name() const = 0;  // shown on the timeline: "paged … via pagerduty"
    virtual bool reaches(const Contact& contact) const = 0;
    virtual void plan_page(const PageContact& page, EpochMs at,
                           std::vector<QueuedOp>& out) const = 0;
    // Acknowledge/resolve what it sent. `source` is where the acknowledgement came from: a
    // method never echoes a change back to the system it came from.
    virtual void plan_follow_up(const PageFollowUp&, const std::string& /*source*/, EpochMs,
                                std::vector<QueuedOp>&) const {}
};

}  // namespace muster
