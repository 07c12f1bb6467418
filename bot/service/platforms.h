// What the service asks of the chat platforms and paging methods registered at start-up
// (bot/runtime/dispatch.h implements it): whom a page would reach, and which channels exist at
// once. The service never names a platform.
#pragma once

#include <string>

#include "bot/config/config.h"
#include "bot/domain/effects.h"

namespace muster {

class Platforms {
  public:
    virtual ~Platforms() = default;
    // How a contact would be paged with what is configured: "pagerduty slack console", or ""
    // when nothing would reach them.
    virtual std::string methods_for(const Contact& contact) const = 0;
    // Channels a platform opens at once when an incident is declared (the console "creates" its
    // channel immediately): added to `out` as bindings (and the name's suffix). The first one's
    // name becomes the incident's `channel`.
    virtual void open_channels_now(const Incident& incident, EpochMs now, Effects& out) = 0;
    // Whether some platform will create the incident's channel after the declaration (Slack):
    // then the declaration's answer says the link follows.
    virtual bool opens_channels_later() const = 0;
};

}  // namespace muster
