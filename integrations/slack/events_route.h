// POST /slack/events (PROTOCOLS §2): url_verification, and in an incident channel pin_added and
// 📌 reaction_added put the message (text, author, time) on the timeline. Each event_id has one
// effect however often Slack retries it (X-Slack-Retry-Num), and each message one timeline entry
// however many pins and 📌 reach it: both dedupe keys are written in the same transaction as the
// effect.
#pragma once

#include "bot/clock.h"
#include "bot/config.h"
#include "bot/http_server.h"
#include "storage/writer.h"

namespace muster::slack {

class EventsRoute {
  public:
    EventsRoute(const Config& config, const Clock& clock, Writer& writer);
    void handle(const HttpRequest& req, const Responder& respond) const;

  private:
    const Config& config_;
    const Clock& clock_;
    Writer& writer_;
};

}  // namespace muster::slack
