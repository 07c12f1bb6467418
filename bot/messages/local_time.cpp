#include "bot/messages/local_time.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>

#include "bot/domain/duration.h"

namespace muster {

namespace {
using Ms = std::chrono::milliseconds;

const date::time_zone* tz(const void* z) {
    return static_cast<const date::time_zone*>(z);
}
date::sys_time<Ms> sys(EpochMs t) {
    return date::sys_time<Ms>{Ms{t}};
}
}  // namespace

std::optional<TimeZone> TimeZone::find(const std::string& name) {
    try {
        const date::time_zone* z = date::locate_zone(name.empty() ? "UTC" : name);
        return TimeZone(name.empty() ? "UTC" : name, z);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

TimeZone TimeZone::utc() {
    static const TimeZone u = *find("UTC");
    return u;
}

std::string TimeZone::format(EpochMs t, const std::string& fmt) const {
    const auto zt = date::make_zoned(tz(zone_), date::floor<std::chrono::seconds>(sys(t)));
    return date::format(fmt, zt);
}

std::string TimeZone::date_time(EpochMs t) const {
    return format(t, "%Y-%m-%d %H:%M %Z (%Ez)");
}

std::string TimeZone::time_of_day(EpochMs t) const {
    return format(t, "%H:%M:%S");
}

std::string TimeZone::date(EpochMs t) const {
    return format(t, "%Y-%m-%d");
}

std::optional<EpochMs> TimeZone::start_of_day(const std::string& s) const {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return std::nullopt;
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    const date::local_days local{ymd};
    const auto info = tz(zone_)->get_info(local);
    date::sys_seconds at;
    if (info.result == date::local_info::nonexistent)
        at = info.second.begin;  // midnight skipped by a DST change: the day starts after the gap
    else
        at = tz(zone_)->to_sys(local, date::choose::earliest);
    return std::chrono::duration_cast<Ms>(at.time_since_epoch()).count();
}

std::optional<EpochMs> parse_point_in_time(const std::string& text, EpochMs now,
                                           const TimeZone& zone) {
    if (auto ms = parse_duration_ms(text); ms && *ms > 0) return now - *ms;
    if (auto day = zone.start_of_day(text)) return day;
    return parse_rfc3339_ms(text);
}

int TimeZone::hour(EpochMs t) const {
    const auto local = tz(zone_)->to_local(date::floor<std::chrono::seconds>(sys(t)));
    const auto day = date::floor<date::days>(local);
    return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(local - day).count());
}

int TimeZone::weekday(EpochMs t) const {
    const auto local = tz(zone_)->to_local(date::floor<std::chrono::seconds>(sys(t)));
    return static_cast<int>(date::weekday(date::floor<date::days>(local)).iso_encoding());
}

}  // namespace muster
