// The variables each shipped template may use (templates/README.md documents them): what the
// renderer puts in the template's data. check() refuses a template that uses any other name, so
// a typo in an override is caught at start-up, not as an empty field at 3 a.m.
// tests/bot/template_variables_test.cpp keeps this list and the real data in step.
#include "bot/messages/templates.h"

namespace muster {

namespace {
// Every message template gets the incident (IncidentMessages::template_data).
const std::vector<std::string> kIncident = {"id",
                                            "title",
                                            "drill",
                                            "severity",
                                            "severity_name",
                                            "severity_description",
                                            "respond_within",
                                            "status",
                                            "status_label",
                                            "ic",
                                            "tech",
                                            "ops",
                                            "comms",
                                            "reporter",
                                            "source",
                                            "channel",
                                            "impact",
                                            "root_cause",
                                            "declared_at_utc",
                                            "now_utc",
                                            "now_time",
                                            "duration",
                                            "acknowledged_at_utc",
                                            "resolved_at_utc",
                                            "source_link"};

std::vector<std::string> with_incident(std::vector<std::string> extra) {
    extra.insert(extra.end(), kIncident.begin(), kIncident.end());
    return extra;
}
}  // namespace

const std::map<std::string, std::vector<std::string>>& template_variables() {
    static const std::map<std::string, std::vector<std::string>> vars = {
        {"declaration", with_incident({})},
        {"announcement", with_incident({})},
        {"status_update", with_incident({"change", "text", "eta", "current_actions"})},
        {"resolution", with_incident({"text", "actor", "pir_due_utc", "review_within"})},
        {"reminder", with_incident({"reminder_title", "reminder_text"})},
        {"page", with_incident({"contact_name", "page_reason", "ack_within"})},
        {"alerts", with_incident({"alerts_source", "alerts_firing", "alerts_resolved",
                                  "alerts_lines", "alerts_more"})},
        {"pir_markdown",
         {"id",       "title",     "drill",        "severity", "severity_name", "status_label",
          "timezone", "start",     "end",          "duration", "impact",        "root_cause",
          "source",   "link",      "generated_at", "people",   "role",          "who",
          "metrics",  "name",      "value",        "timeline", "time",          "event",
          "details",  "went_well", "went_wrong",   "lessons",  "text",          "action_items",
          "number",   "owner",     "due",          "status"}},
        {"report_markdown",
         {"since",
          "until",
          "timezone",
          "generated_at",
          "working_hours",
          "incidents",
          "still_open",
          "drills",
          "declined",
          "pages",
          "pages_out_of_hours",
          "out_of_hours_share",
          "severities",
          "severity",
          "name",
          "mtta_p50",
          "mtta_p90",
          "mttm_p50",
          "mttm_p90",
          "mttr_p50",
          "mttr_p90",
          "sources",
          "source",
          "faster",
          "metric",
          "now",
          "before",
          "change",
          "contacts",
          "contact",
          "out_of_hours",
          "share",
          "overdue",
          "incident_id",
          "incident_title",
          "number",
          "text",
          "owner",
          "due"}},
    };
    static const std::map<std::string, std::vector<std::string>> all = [] {
        auto m = vars;
        m["pir_html"] = m["pir_markdown"];
        m["pir_html"].push_back("svg");
        m["report_html"] = m["report_markdown"];
        m["report_html"].push_back("svg");
        return m;
    }();
    return all;
}

}  // namespace muster
