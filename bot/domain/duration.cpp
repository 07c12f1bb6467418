#include "bot/domain/duration.h"

#include <cctype>
#include <limits>

namespace muster {

std::optional<std::int64_t> parse_duration_ms(const std::string& text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        std::int64_t n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (n > 1'000'000'000) return std::nullopt;
            n = n * 10 + (text[i] - '0');
            ++i;
        }
        std::int64_t unit = 0;
        if (text.compare(i, 2, "ms") == 0) {
            unit = 1;
            i += 2;
        } else if (i < text.size()) {
            switch (text[i]) {
                case 's':
                    unit = 1000;
                    break;
                case 'm':
                    unit = 60'000;
                    break;
                case 'h':
                    unit = 3'600'000;
                    break;
                case 'd':
                    unit = 86'400'000;
                    break;
                default:
                    return std::nullopt;
            }
            ++i;
        } else {
            return std::nullopt;  // a number with no unit
        }
        if (n > std::numeric_limits<std::int64_t>::max() / unit - total) return std::nullopt;
        total += n * unit;
    }
    return total;
}

std::string format_duration_config(std::int64_t ms) {
    if (ms == 0) return "0s";
    std::string out;
    // Hours are the largest unit: the runbooks write "24h", not "1d".
    const std::int64_t units[] = {3'600'000, 60'000, 1000, 1};
    const char* names[] = {"h", "m", "s", "ms"};
    for (int k = 0; k < 4; ++k) {
        if (ms >= units[k]) {
            out += std::to_string(ms / units[k]) + names[k];
            ms %= units[k];
        }
    }
    return out;
}

}  // namespace muster
