// Incident ids: INC-YYYYMMDD-### with a per-UTC-day sequence of at least three digits
// (seed 001). The sequence itself lives in storage so ids stay unique across restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bot/domain/clock.h"

namespace muster {

std::string utc_day_key(EpochMs t);  // "20261122"
std::string format_incident_id(const std::string& day, std::int64_t seq);
bool looks_like_incident_id(const std::string& s);
// Normalises "inc-20261122-7" to "INC-20261122-007"; nullopt if it is not an id.
std::optional<std::string> normalize_incident_id(const std::string& s);

}  // namespace muster
