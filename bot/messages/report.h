// The numbers across incidents (issue 10, `muster report`, GET /api/v1/reports): how many
// incidents by severity and source, how fast they were acknowledged, mitigated and resolved
// (p50/p90 by severity, and the same for the period before, to answer "are we getting
// faster?"), how many pages went to whom and how many of them outside working hours, and the
// PIR action items that are overdue. Drills and declined incidents are left out of every number
// (and counted, so nobody wonders where they went).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/incident.h"
#include "bot/domain/timeline.h"
#include "bot/messages/local_time.h"
#include "bot/messages/templates.h"
#include "bot/service/ports.h"

namespace muster {

// p50 and p90 of durations (ms), nearest-rank; nullopt when there are none.
struct DurationStats {
    int count = 0;
    std::optional<EpochMs> p50, p90;
};
DurationStats duration_stats(std::vector<EpochMs> values);

struct SeverityNumbers {
    std::string severity, name;  // "P1", "High"; "all" for the total row
    int incidents = 0;
    DurationStats mtta, mttm, mttr;  // time to acknowledge, mitigate (first Monitoring), resolve
};

struct ContactPages {
    std::string contact;
    int pages = 0, out_of_hours = 0;
};

// One bucket of the trend (a day for windows up to 14 days, else a week).
struct TrendPoint {
    EpochMs from = 0;
    int incidents = 0;
    std::optional<EpochMs> mtta_p50, mttr_p50;
};

struct Report {
    EpochMs since = 0, until = 0, generated_at = 0;  // ms since the epoch; [since, until)
    TimeZone zone = TimeZone::utc();
    std::string working_hours;  // "Mon–Fri 09:00–18:00 Europe/Berlin"
    int incidents = 0, drills_left_out = 0, declined_left_out = 0, still_open = 0;
    std::vector<SeverityNumbers> by_severity;  // configured order, then "all"
    std::map<std::string, int> by_source;
    SeverityNumbers previous;  // the same window length just before `since`, all severities
    int pages = 0, pages_out_of_hours = 0;
    std::vector<ContactPages> pages_per_contact;              // most paged first
    std::vector<std::pair<ActionItem, std::string>> overdue;  // (item, incident title), by due
    std::vector<TrendPoint> trend;
};

// Reads what the window needs: incidents declared in [since, until), the period before for the
// comparison, pages sent in the window, and open action items due before today (in `zone`).
Report build_report(IncidentReads& incidents, ReportReads& reads, const Config& config,
                    const TimeZone& zone, EpochMs since, EpochMs until, EpochMs now);

// Schema muster.report.v1 (templates/report.schema.json). Durations in seconds.
nlohmann::json report_json(const Report& r);
std::string report_markdown(const Report& r, const Templates& templates);
// What report_markdown and report_html give their template (templates/README.md), without the
// picture (svg, HTML only).
nlohmann::json report_template_data(const Report& r);
std::string report_html(const Report& r, const Templates& templates);
// The trend as SVG: incidents per bucket as bars, MTTA and MTTR p50 as lines.
std::string report_svg(const Report& r);

}  // namespace muster
