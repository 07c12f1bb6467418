// Durations as the configuration writes them: "30s", "5m", "1h", "24h", "1h30m", "500ms", "2d".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace muster {

// Milliseconds, or nullopt when the text is not a duration (a bare number has no unit and is
// rejected on purpose: "5" could mean seconds or minutes, and at 3 a.m. nobody should guess).
std::optional<std::int64_t> parse_duration_ms(const std::string& text);
std::string format_duration_config(std::int64_t ms);

}  // namespace muster
