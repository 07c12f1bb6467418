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

namespace {
// The local calendar fields of an instant, from the zone's rules at that instant (the same
// lookup date::format makes, without its stream: a document formats 100,000 times).
struct Local {
    int y = 0;
    unsigned mo = 0, d = 0;
    long h = 0, mi = 0, s = 0;
    long offset_s = 0;
    std::string abbrev;
};
Local local_of(const date::time_zone* z, EpochMs t) {
    const auto at = date::floor<std::chrono::seconds>(sys(t));
    const date::sys_info info = z->get_info(at);
    const auto local = at + info.offset;
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::seconds> hms{local - day};
    Local l;
    l.y = static_cast<int>(ymd.year());
    l.mo = static_cast<unsigned>(ymd.month());
    l.d = static_cast<unsigned>(ymd.day());
    l.h = hms.hours().count();
    l.mi = hms.minutes().count();
    l.s = static_cast<long>(hms.seconds().count());
    l.offset_s = static_cast<long>(info.offset.count());
    l.abbrev = info.abbrev;
    return l;
}
}  // namespace

std::string TimeZone::date_time(EpochMs t) const {
    const Local l = local_of(tz(zone_), t);
    const long off = l.offset_s < 0 ? -l.offset_s : l.offset_s;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02ld:%02ld %s (%c%02ld:%02ld)", l.y, l.mo, l.d,
                  l.h, l.mi, l.abbrev.c_str(), l.offset_s < 0 ? '-' : '+', off / 3600,
                  (off % 3600) / 60);
    return buf;
}

std::string TimeZone::date_time_seconds(EpochMs t) const {
    const Local l = local_of(tz(zone_), t);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02ld:%02ld:%02ld", l.y, l.mo, l.d, l.h, l.mi,
                  l.s);
    return buf;
}

std::string TimeZone::time_of_day(EpochMs t) const {
    const Local l = local_of(tz(zone_), t);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", l.h, l.mi, l.s);
    return buf;
}

std::string TimeZone::date(EpochMs t) const {
    const Local l = local_of(tz(zone_), t);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", l.y, l.mo, l.d);
    return buf;
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
    std::optional<EpochMs> t;
    if (auto ms = parse_duration_ms(text); ms && *ms > 0 && *ms <= now)
        t = now - *ms;
    else if (auto day = zone.start_of_day(text))
        t = day;
    else
        t = parse_rfc3339_ms(text);
    // 1970-01-01 to 9999-12-31: what every format (and the date library) can show.
    constexpr EpochMs kLast = 253402300799999;
    if (t && (*t < 0 || *t > kLast)) return std::nullopt;
    return t;
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
