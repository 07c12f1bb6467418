// The post-incident review document (issue 10; seed 001's "PIR Document Template", seed 003's
// blameless template), built once from what storage has and then written as Markdown, HTML (one
// standalone file with an SVG timeline) or JSON (schema muster.pir.v1, templates/pir.schema.json).
// Every time is shown in the chosen time zone with its offset; every metric comes from explicit
// timestamps (acknowledged, first Monitoring, resolved), never from guesses.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/incident_state.h"
#include "bot/domain/timeline.h"
#include "bot/messages/local_time.h"
#include "bot/messages/templates.h"
#include "bot/service/ports.h"

namespace muster {

// One row of the timeline table, made from one event when a document is written.
struct PirRow {
    EpochMs at = 0;
    std::string event;    // what happened, for people ("Status Investigating → Identified")
    std::string details;  // what was written or done (a note, an update, who was paged)
    std::string who;      // the decision maker: "@U123", "pagerduty", "muster"
};
PirRow pir_row(const TimelineEvent& e);

// A mark on the timeline picture. At most one per kind per pixel column is kept, so the picture
// of 100,000 events is as small as that of 100.
struct PirMarker {
    enum Kind { declared, page, acknowledged, note, resolved } kind = note;
    EpochMs at = 0;
    std::string label;
};

// A stretch of the incident in one status (for the timeline picture).
struct PirPhase {
    Status status = Status::investigating;
    EpochMs from = 0, to = 0;
};

struct Pir {
    Incident incident;
    std::string severity_name;
    TimeZone zone = TimeZone::utc();
    EpochMs generated_at = 0;
    EpochMs end = 0;  // resolved, or the time of the document for an open incident
    std::optional<EpochMs> time_to_acknowledge, time_to_mitigate, time_to_resolve;
    int pages_sent = 0;
    int highest_level = 0;
    std::vector<std::pair<std::string, std::string>> people;  // (role, who)
    std::vector<PirPhase> phases;
    std::vector<PirMarker> markers;
    std::vector<std::string> went_well, went_wrong, lessons;  // from tagged notes
    std::vector<ActionItem> action_items;
    std::string source_link;  // the alert or PagerDuty incident it came from, if any
    std::size_t events = 0;   // how many timeline events
    // The timeline in time order, read again for each document (never held whole: a long
    // incident has 100,000 events). From load_pir it reads storage: use it while that lives.
    using EventVisitor = std::function<void(const TimelineEvent&)>;
    std::function<void(const EventVisitor&)> each_event;
};

// Everything the document says, from the incident's state, timeline and action items. `now` is
// the end of an open incident. Notes tagged "went-well:", "went-wrong:" and "lesson:" (any case)
// fill those sections; the rest of the timeline keeps them too.
Pir build_pir(const IncidentState& state, std::vector<TimelineEvent> timeline,
              std::vector<ActionItem> action_items, const Config& config, const TimeZone& zone,
              EpochMs now);
// The same, reading the timeline from storage event by event (once here, once per document);
// nullopt for an unknown id.
std::optional<Pir> load_pir(IncidentReads& reads, const std::string& id, const Config& config,
                            const TimeZone& zone, EpochMs now);

// The formats. Markdown and HTML come from the templates pir_markdown and pir_html (a file of
// that name in templates.dir replaces one); user text is escaped for the format by the renderer.
// JSON text (pretty-printed, 2 spaces), written a timeline entry at a time.
std::string pir_json(const Pir& pir);
std::string pir_markdown(const Pir& pir, const Templates& templates);
// What pir_markdown and pir_html give their template (templates/README.md), without the
// timeline rows (streamed: time, event, details, who) and the picture (svg, HTML only).
nlohmann::json pir_template_data(const Pir& pir);
std::string pir_html(const Pir& pir, const Templates& templates);
// The review for a chat answer: the pir_markdown template with values as plain text (the chat
// adapter escapes them for its own markup), the first `max_rows` timeline rows and a row
// saying how many more (the rest is read, not rendered).
std::string pir_chat_text(const Pir& pir, const Templates& templates, std::size_t max_rows);
// The timeline picture: status phases as coloured bands, markers for the declaration, pages,
// the acknowledgement, notes and the resolution, a time axis in the document's zone.
std::string pir_svg(const Pir& pir);

// The colour of a status band in the picture (and its legend).
const char* status_colour(Status s);

// "1h 05m 10s" (seconds shown under an hour), or "—" when there is no such time.
std::string pir_duration(const std::optional<EpochMs>& ms);

}  // namespace muster
