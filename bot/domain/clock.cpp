#include "bot/domain/clock.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace muster {

EpochMs SystemClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Howard Hinnant's civil-from-days / days-from-civil algorithms (public domain).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

static void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

UtcTime to_utc(EpochMs t) {
    std::int64_t days = t / 86400000;
    std::int64_t rem = t % 86400000;
    if (rem < 0) {
        rem += 86400000;
        --days;
    }
    UtcTime u{};
    civil_from_days(days, u.year, u.month, u.day);
    u.hour = static_cast<int>(rem / 3600000);
    u.minute = static_cast<int>(rem / 60000 % 60);
    u.second = static_cast<int>(rem / 1000 % 60);
    u.millis = static_cast<int>(rem % 1000);
    return u;
}

std::string format_rfc3339(EpochMs t) {
    const UtcTime u = to_utc(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", u.year, u.month, u.day, u.hour,
                  u.minute, u.second);
    return buf;
}

std::optional<EpochMs> parse_rfc3339_ms(const std::string& s) {
    // The date and time by the C library (strptime, timegm), then what it does not read: a
    // fraction of a second and the offset.
    std::tm tm{};
    const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    EpochMs ms = 0;
    if (*rest == '.') {
        int digits = 0;
        for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits)
            if (digits < 3) ms = ms * 10 + (*rest - '0');
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
    }
    EpochMs offset_s = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if ((*rest == '+' || *rest == '-') && std::strlen(rest) == 6 && rest[3] == ':') {
        int h = 0, m = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59) return std::nullopt;
        offset_s = (h * 3600 + m * 60) * (*rest == '+' ? 1 : -1);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest != '\0') return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    return (static_cast<EpochMs>(t) - offset_s) * 1000 + ms;
}

std::string format_human_utc(EpochMs t) {
    const UtcTime u = to_utc(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d UTC", u.year, u.month, u.day, u.hour,
                  u.minute);
    return buf;
}

std::string format_duration_short(EpochMs ms) {
    if (ms < 0) ms = 0;
    const std::int64_t s = ms / 1000;
    char buf[48];
    if (s < 60) {
        std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
    } else if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(s / 60));
    } else if (s < 86400) {
        std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s / 60 % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(s / 86400),
                      static_cast<long long>(s / 3600 % 24));
    }
    return buf;
}

}  // namespace muster
