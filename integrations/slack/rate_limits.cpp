#include "integrations/slack/rate_limits.h"

#include <algorithm>
#include <cmath>

namespace muster::slack {

int RateLimits::per_minute(const std::string& m) {
    // Tiers from java-slack-sdk MethodsRateLimits (PROTOCOLS §4): 1 ≈ 1, 2 ≈ 20, 3 ≈ 50, 4 ≈ 100.
    if (m == "conversations.create" || m == "conversations.setTopic" ||
        m == "conversations.setPurpose" || m == "conversations.archive" || m == "pins.add" ||
        m == "bookmarks.add")
        return 20;
    if (m == "conversations.invite" || m == "chat.update" || m == "users.lookupByEmail" ||
        m == "conversations.history")
        return 50;
    if (m == "chat.postMessage") return 300;  // "several hundred per minute per workspace"
    return 20;
}

EpochMs RateLimits::take(Bucket& b, double capacity, double per_ms, EpochMs now, double need) {
    if (now < b.blocked_until) return b.blocked_until - now;
    if (b.tokens < 0) {
        b.tokens = capacity;
        b.at = now;
    }
    b.tokens = std::min(capacity, b.tokens + static_cast<double>(now - b.at) * per_ms);
    b.at = now;
    need = std::min(need, capacity);
    if (b.tokens >= need) return 0;
    return std::max<EpochMs>(1, static_cast<EpochMs>(std::ceil((need - b.tokens) / per_ms)));
}

EpochMs RateLimits::acquire(const std::string& method, const std::string& channel, EpochMs now,
                            int count) {
    std::lock_guard<std::mutex> lk(mu_);
    const int rate = per_minute(method);
    Bucket& m = methods_[method];
    // Bursts up to a quarter of a minute's allowance (at least 3).
    const double capacity = std::max(3.0, rate / 4.0);
    const double need = std::max(1, count);
    EpochMs wait = take(m, capacity, rate / 60'000.0, now, need);
    Bucket* c = nullptr;
    if (wait == 0 && method == "chat.postMessage" && !channel.empty()) {
        c = &channels_[channel];
        wait = take(*c, 3.0, 1 / 1000.0, now, 1.0);  // ~1 message/s per channel, bursts of 3
    }
    if (wait > 0) return wait;
    m.tokens -= need;
    if (c) c->tokens -= 1.0;
    return 0;
}

void RateLimits::penalize(const std::string& method, EpochMs until) {
    std::lock_guard<std::mutex> lk(mu_);
    Bucket& m = methods_[method];
    m.blocked_until = std::max(m.blocked_until, until);
}

}  // namespace muster::slack
