// POST /slack/commands: verify the signature, parse the form and the /incident text, run the
// command in one durable write, answer Slack. Nothing here waits on another service.
#pragma once

#include "bot/clock.h"
#include "bot/config.h"
#include "bot/http_server.h"
#include "commands/command_runner.h"

namespace muster::slack {

class SlashCommandRoute {
  public:
    SlashCommandRoute(const Config& config, const Clock& clock, const CommandRunner& runner);
    void handle(const HttpRequest& req, const Responder& respond) const;

  private:
    const Config& config_;
    const Clock& clock_;
    const CommandRunner& runner_;
};

// The JSON body Slack expects in answer to a slash command.
std::string reply_body(const Reply& reply);
// Checks X-Slack-Signature on a request; logs and answers 401 itself when it fails.
bool signed_by_slack(const Config& config, const Clock& clock, const HttpRequest& req,
                     const Responder& respond);

}  // namespace muster::slack
