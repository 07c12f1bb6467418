// Slack request signing (PROTOCOLS §2): v0 HMAC-SHA256 over "v0:{timestamp}:{raw body}",
// compared in constant time, with a 5-minute window against replays.
#pragma once

#include <string>

#include "bot/domain/clock.h"

namespace muster::slack {

enum class SignatureCheck { ok, missing, stale, mismatch, not_configured };
const char* describe(SignatureCheck c);

std::string sign(const std::string& secret, const std::string& timestamp, const std::string& body);

SignatureCheck verify(const std::string& secret, const std::string& timestamp_header,
                      const std::string& signature_header, const std::string& body, EpochMs now,
                      std::int64_t window_s = 300);

}  // namespace muster::slack
