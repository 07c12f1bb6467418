// An incident as JSON, losslessly (times in ms since the epoch): how a snapshot travels inside a
// queued operation, to be rendered when it is delivered.
#pragma once

#include <nlohmann/json.hpp>

#include "bot/domain/incident.h"

namespace muster {

nlohmann::json incident_to_json(const Incident& inc);
// The same as JSON text, compact: empty strings and unset times are left out (they read back as
// empty). What a queued message carries; one notification queues the same incident several
// times, so the last text made on each thread is reused while the incident is equal.
std::string incident_snapshot(const Incident& inc);
// Missing or mistyped fields read as empty: a queued row from an older version still renders.
Incident incident_from_json(const nlohmann::json& j);

}  // namespace muster
