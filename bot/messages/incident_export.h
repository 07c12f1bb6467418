// The incident as a document: the record, its full timeline in order, its action items. The JSON
// form (format "muster.incident.v1") is what `muster export --format incident` prints, for
// scripts and backups; the PIR (bot/messages/pir.h) is the document for people.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/incident.h"
#include "bot/service/ports.h"

namespace muster {

// The record as the export and `muster incidents --json` show it (RFC 3339 times).
nlohmann::json incident_json(const Incident& inc);
// Timeline events and action items as the export and /api/v1 show them.
nlohmann::json timeline_json(const std::vector<TimelineEvent>& events);
nlohmann::json action_items_json(const std::vector<ActionItem>& items);
// nullopt when there is no such incident.
std::optional<nlohmann::json> export_incident(IncidentReads& reads, const std::string& id);

}  // namespace muster
