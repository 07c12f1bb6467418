// HMAC-SHA256 and constant-time comparison, shared by every signed inbound integration.
#pragma once

#include <string>

namespace muster {

std::string hmac_sha256_hex(const std::string& key, const std::string& data);
bool constant_time_equals(const std::string& a, const std::string& b);

}  // namespace muster
