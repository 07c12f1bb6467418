// Times for people, in a time zone of the tz database (Howard Hinnant's date/tz from Debian's
// libhowardhinnant-date-dev, reading the system's /usr/share/zoneinfo): daylight saving and
// historical offsets come from the database, never from offset arithmetic here. UTC by default;
// every time shown carries its offset.
#pragma once

#include <optional>
#include <string>

#include "bot/domain/clock.h"

namespace muster {

// A point in time as people write it on a command line or in a query: a duration back from
// `now` ("30d", "12h"), a local date in `zone` ("2026-11-01", its first instant) or an RFC 3339
// timestamp ("2026-11-01T09:00:00Z"). nullopt for anything else, and for a time before 1970 or
// after 9999.
class TimeZone;
std::optional<EpochMs> parse_point_in_time(const std::string& text, EpochMs now,
                                           const TimeZone& zone);

class TimeZone {
  public:
    // "UTC", "Europe/Berlin", "America/New_York"; nullopt for a name the database lacks.
    static std::optional<TimeZone> find(const std::string& name);
    static TimeZone utc();

    const std::string& name() const { return name_; }
    // "2026-11-22 10:30 CET (+01:00)"
    std::string date_time(EpochMs t) const;
    // "2026-11-22 10:30:05" (no zone: for a table whose heading names it)
    std::string date_time_seconds(EpochMs t) const;
    // "10:30:05"
    std::string time_of_day(EpochMs t) const;
    // "2026-11-22"
    std::string date(EpochMs t) const;
    // strftime-like format (date/tz's: %Y %m %d %H %M %S %Z %Ez …) in this zone.
    std::string format(EpochMs t, const std::string& fmt) const;
    // Local hour (0–23) and ISO weekday (1 = Monday … 7 = Sunday), for working hours.
    int hour(EpochMs t) const;
    int weekday(EpochMs t) const;
    // The first instant of a local day "YYYY-MM-DD" in this zone (ms since the epoch); nullopt
    // for a date that does not exist. A day starting in a DST gap starts at the gap's end.
    std::optional<EpochMs> start_of_day(const std::string& yyyy_mm_dd) const;

  private:
    TimeZone(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
    std::string name_;
    const void* zone_;  // a date::time_zone, owned by the library's database
};

}  // namespace muster
