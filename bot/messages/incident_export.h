// The incident as a document: the record, its full timeline in order, its action items. The JSON
// form (format "muster.incident.v1") is what `muster export --format json` prints; the PIR
// Markdown/HTML build on the same data.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/domain/incident.h"
#include "bot/service/ports.h"

namespace muster {

// The record as the export and `muster incidents --json` show it (RFC 3339 times).
nlohmann::json incident_json(const Incident& inc);
// nullopt when there is no such incident.
std::optional<nlohmann::json> export_incident(IncidentReads& reads, const std::string& id);

}  // namespace muster
