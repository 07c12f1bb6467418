#include "bot/domain/incident_id.h"

#include <cctype>
#include <cstdio>

namespace muster {

std::string utc_day_key(EpochMs t) {
    const UtcTime u = to_utc(t);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", u.year, u.month, u.day);
    return buf;
}

std::string format_incident_id(const std::string& day, std::int64_t seq) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%03lld", static_cast<long long>(seq));
    return "INC-" + day + "-" + buf;
}

std::optional<std::string> normalize_incident_id(const std::string& s) {
    if (s.size() < 14 || s.size() > 24) return std::nullopt;
    auto upper = [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    };
    if (upper(s[0]) != 'I' || upper(s[1]) != 'N' || upper(s[2]) != 'C' || s[3] != '-')
        return std::nullopt;
    for (int i = 4; i < 12; ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    if (s[12] != '-') return std::nullopt;
    long long seq = 0;
    for (std::size_t i = 13; i < s.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
        seq = seq * 10 + (s[i] - '0');
    }
    if (seq <= 0) return std::nullopt;
    return format_incident_id(s.substr(4, 8), seq);
}

bool looks_like_incident_id(const std::string& s) {
    return normalize_incident_id(s).has_value();
}

}  // namespace muster
