// Slack's published limits (PROTOCOLS §4), kept on our side so we rarely meet a 429: a token
// bucket per Web API method sized by its tier, and about one chat.postMessage per second per
// channel with short bursts. Time comes in as an argument; safe to share between the page lane and
// the chat lane (one lock).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "bot/domain/clock.h"

namespace muster::slack {

class RateLimits {
  public:
    // How long to wait before calling `method` (on `channel` for posts); 0 = go, and the call is
    // counted. A positive answer counts nothing: ask again after that long.
    // `count` asks for several calls at once (e.g. updating two messages), so an operation is
    // either let through whole or held whole, never stuck half-way through its calls.
    EpochMs acquire(const std::string& method, const std::string& channel, EpochMs now,
                    int count = 1);
    // Slack answered 429: nothing more for this method until `until`.
    void penalize(const std::string& method, EpochMs until);

    static int per_minute(const std::string& method);  // the tier's rate

  private:
    struct Bucket {
        double tokens = -1;  // -1: not yet used (starts full)
        EpochMs at = 0;
        EpochMs blocked_until = 0;
    };
    static EpochMs take(Bucket& b, double capacity, double per_ms, EpochMs now, double need);
    std::mutex mu_;
    std::map<std::string, Bucket> methods_, channels_;
};

}  // namespace muster::slack
