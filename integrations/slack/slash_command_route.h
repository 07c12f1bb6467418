// POST /slack/commands: verify the signature, parse the form and the /incident text, run the
// command in one durable write, answer Slack. Nothing here waits on another service.
#pragma once

#include "bot/clock.h"
#include "bot/config.h"
#include "bot/http_server.h"
#include "commands/handlers.h"
#include "storage/writer.h"

namespace muster::slack {

class SlashCommandRoute {
  public:
    SlashCommandRoute(const Config& config, const Clock& clock, Writer& writer,
                      const CommandHandlers& handlers);
    void handle(const HttpRequest& req, const Responder& respond) const;

  private:
    const Config& config_;
    const Clock& clock_;
    Writer& writer_;
    const CommandHandlers& handlers_;
};

// The JSON body Slack expects in answer to a slash command.
std::string reply_body(const Reply& reply);

}  // namespace muster::slack
