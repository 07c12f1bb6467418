// The registry of chat platforms and paging methods, and the step that turns an Effects value's
// notifications into queued operations before it is written (off the writer thread). It is the
// service's Platforms port: whom a page reaches, which channels open at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bot/runtime/plugins.h"
#include "bot/service/platforms.h"

namespace muster {

class Dispatch final : public Platforms {
  public:
    void add(std::shared_ptr<ChatPlatform> platform);
    void add(std::shared_ptr<PagingMethod> method);

    // Plans every notification of `fx` into fx.outbox (and clears them).
    void expand(Effects& fx) const;

    std::string methods_for(const Contact& contact) const override;
    void open_channels_now(const Incident& incident, EpochMs now, Effects& out) override;
    bool opens_channels_later() const override;

    // Not errors, but a 3 a.m. surprise: escalation levels that would page nobody.
    std::vector<std::string> warnings(const Config& config) const;

  private:
    std::vector<std::shared_ptr<ChatPlatform>> platforms_;
    std::vector<std::shared_ptr<PagingMethod>> methods_;
};

}  // namespace muster
