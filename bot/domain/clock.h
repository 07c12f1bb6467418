// Time as the core sees it: UTC milliseconds since the epoch, read through an injectable Clock so
// tests drive time instead of waiting for it.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace muster {

using EpochMs = std::int64_t;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual EpochMs now_ms() const = 0;
};

class SystemClock final : public Clock {
  public:
    EpochMs now_ms() const override;
};

// A clock that only moves when a test moves it.
class FakeClock final : public Clock {
  public:
    explicit FakeClock(EpochMs start) : now_(start) {}
    EpochMs now_ms() const override { return now_.load(); }
    void set(EpochMs t) { now_.store(t); }
    void advance(EpochMs delta) { now_.fetch_add(delta); }

  private:
    std::atomic<EpochMs> now_;
};

// Civil UTC date-time pieces of an instant (proleptic Gregorian, no time zone database needed).
struct UtcTime {
    int year, month, day, hour, minute, second, millis;
};
UtcTime to_utc(EpochMs t);
// "2026-11-22T09:30:00Z" (RFC 3339, seconds precision).
std::string format_rfc3339(EpochMs t);
// "2026-11-22T09:30:00.123Z", "…+02:00" (RFC 3339, as PagerDuty and Alertmanager write times):
// ms since the epoch; nullopt for anything else.
std::optional<EpochMs> parse_rfc3339_ms(const std::string& s);
// "2026-11-22 09:30 UTC": how the runbooks write times for people.
std::string format_human_utc(EpochMs t);
// "1h 05m", "12m", "45s": how long something has been going on.
std::string format_duration_short(EpochMs ms);
// Days since 1970-01-01 for a civil date; used to validate due dates.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

}  // namespace muster
