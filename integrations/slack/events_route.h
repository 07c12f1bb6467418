// POST /slack/events (PROTOCOLS §2): url_verification, and in an incident channel pin_added and
// 📌 reaction_added put the message (text, author, time) on the timeline. Each event_id has one
// effect however often Slack retries it (X-Slack-Retry-Num): the dedupe key is written in the same
// transaction as the effect.
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

// "1700000000.000100" → 1700000000000 ms; 0 when it is not a Slack ts.
EpochMs ts_to_ms(const std::string& ts);

}  // namespace muster::slack
