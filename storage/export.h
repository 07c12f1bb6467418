// The incident as a document: the record, its full timeline in order, its action items. The JSON
// form is what `muster export --format json` prints; the PIR Markdown/HTML build on the same data.
#pragma once

#include <SQLiteCpp/Database.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/incident.h"

namespace muster {

nlohmann::json incident_json(const Incident& inc);
// nullopt when there is no such incident.
std::optional<nlohmann::json> export_incident(SQLite::Database& db, const std::string& id);

}  // namespace muster
