#include "integrations/slack/signature.h"

#include <cctype>
#include <cstdlib>

#include "integrations/hmac.h"

namespace muster::slack {

const char* describe(SignatureCheck c) {
    switch (c) {
        case SignatureCheck::ok:
            return "ok";
        case SignatureCheck::missing:
            return "missing X-Slack-Signature or X-Slack-Request-Timestamp";
        case SignatureCheck::stale:
            return "timestamp outside the 5-minute window";
        case SignatureCheck::mismatch:
            return "signature does not match";
        case SignatureCheck::not_configured:
            return "slack.signing_secret is not set";
    }
    return "?";
}

std::string sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
    return "v0=" + hmac_sha256_hex(secret, "v0:" + timestamp + ":" + body);
}

SignatureCheck verify(const std::string& secret, const std::string& ts, const std::string& sig,
                      const std::string& body, EpochMs now, std::int64_t window_s) {
    if (secret.empty()) return SignatureCheck::not_configured;
    if (ts.empty() || sig.empty()) return SignatureCheck::missing;
    if (ts.size() > 12) return SignatureCheck::stale;
    for (char c : ts)
        if (!std::isdigit(static_cast<unsigned char>(c))) return SignatureCheck::stale;
    const long long t = std::atoll(ts.c_str());
    const long long now_s = now / 1000;
    if (std::llabs(now_s - t) > window_s) return SignatureCheck::stale;
    if (!constant_time_equals(sign(secret, ts, body), sig)) return SignatureCheck::mismatch;
    return SignatureCheck::ok;
}

}  // namespace muster::slack
