// POST /slack/interactions: the declaration's buttons (block_actions, PROTOCOLS §3). A press is
// the same command typed by the same person — Acknowledge → ack, Resolve → resolve, I'm IC →
// role ic me — run durably, after which the messages are refreshed through the outbox. Slack gets
// its 200 at once; a refusal ("already acknowledged") goes back to the presser via response_url.
#pragma once

#include "bot/clock.h"
#include "bot/config.h"
#include "bot/http_server.h"
#include "commands/command_runner.h"

namespace muster::slack {

class InteractionsRoute {
  public:
    InteractionsRoute(const Config& config, const Clock& clock, const CommandRunner& runner);
    void handle(const HttpRequest& req, const Responder& respond) const;

  private:
    const Config& config_;
    const Clock& clock_;
    const CommandRunner& runner_;
};

}  // namespace muster::slack
