// The variables check-config accepts for each template (template_variables(), documented in
// templates/README.md) against the data the renderer really gives: every key of the data is
// listed, and every listed name is in the data, so neither can drift from the other.
#include <gtest/gtest.h>

#include <set>

#include "bot/messages/incident_messages.h"
#include "bot/messages/pir.h"
#include "bot/messages/report.h"
#include "bot/messages/templates.h"

using namespace muster;

namespace {

void keys_of(const nlohmann::json& j, std::set<std::string>& out) {
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) {
            out.insert(it.key());
            keys_of(it.value(), out);
        }
    if (j.is_array())
        for (const auto& e : j) keys_of(e, out);
}

std::set<std::string> listed(const std::string& name) {
    const auto& v = template_variables().at(name);
    return {v.begin(), v.end()};
}

Incident incident() {
    Incident i;
    i.id = "INC-20261122-001";
    i.title = "checkout";
    i.severity = "P1";
    i.declared_at = 1795339800000;
    i.acknowledged_at = i.declared_at + 60'000;
    i.resolved_at = i.declared_at + 600'000;
    return i;
}

}  // namespace

TEST(TemplateVariables, MessageTemplatesListExactlyWhatTheyAreGiven) {
    const Config cfg = default_config();
    const Templates templates;
    const IncidentMessages messages(cfg, templates);
    const Incident inc = incident();
    Contact contact;
    contact.key = "oncall-primary";
    // Every notification with every optional part filled, so every key shows.
    const std::vector<Notification> all = {
        Declared{inc, Actor{}, "https://pagerduty.example/incidents/1"},
        StatusUpdated{inc, "Status Investigating → Identified", "fixed. ETA: 10 min", "a\nb"},
        Resolved{inc, "done", "U0ALICE", inc.declared_at + 48 * 3'600'000LL},
        Reminder{inc, "Update due", "post an update"},
        PageContact{inc, contact, 1, 1, "k", "level 1"},
        AlertsChanged{inc, "alertmanager", 2, 1, {"firing: x"}, 3},
    };
    std::map<std::string, std::set<std::string>> given;
    for (const auto& n : all)
        for (const auto& spec : messages_for(n, cfg)) {
            auto& keys = given[spec.template_name];
            keys_of(messages.template_data(inc, inc.declared_at), keys);
            keys_of(spec.extra, keys);
        }
    for (const auto& [name, body] : embedded_templates()) {
        if (is_document_template(name)) continue;
        ASSERT_TRUE(given.count(name)) << name << " is given no data by this test";
        EXPECT_EQ(given[name], listed(name)) << name;
    }
}

TEST(TemplateVariables, DocumentTemplatesListExactlyWhatTheyAreGiven) {
    const Config cfg = default_config();
    IncidentState state;
    state.incident = incident();
    state.incident.ic = "U0IC";
    ActionItem a;
    a.number = 1;
    a.text = "fix";
    TimelineEvent note;
    note.type = "note";
    note.text = "went-well: quick";
    note.at = state.incident.declared_at;
    const Pir pir =
        build_pir(state, {note}, {a}, cfg, TimeZone::utc(), state.incident.resolved_at.value());
    std::set<std::string> keys;
    keys_of(pir_template_data(pir), keys);
    for (const char* streamed : {"timeline", "time", "event", "details", "who"})
        keys.insert(streamed);
    EXPECT_EQ(keys, listed("pir_markdown"));
    keys.insert("svg");
    EXPECT_EQ(keys, listed("pir_html"));

    Report r;
    r.by_severity.push_back({"P1", "High", 1, {}, {}, {}});
    r.by_severity.push_back({"all", "All", 1, {}, {}, {}});
    r.by_source["slack"] = 1;
    r.pages_per_contact.push_back({"oncall-primary", 2, 1});
    r.overdue.emplace_back(a, "checkout");
    std::set<std::string> report_keys;
    keys_of(report_template_data(r), report_keys);
    EXPECT_EQ(report_keys, listed("report_markdown"));
    report_keys.insert("svg");
    EXPECT_EQ(report_keys, listed("report_html"));
}

TEST(TemplateVariables, AnUnknownNameIsReportedWithItsLineAndTheNearestName) {
    const auto problems =
        template_problems("declaration", "{\"title\": \"{{id}}\",\n\"text\": \"{{severty}}\"}",
                          "/etc/muster/templates/declaration.mustache");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("/etc/muster/templates/declaration.mustache:2: unknown variable "
                               "{{severty}} (did you mean {{severity}}?"),
              std::string::npos)
        << problems[0];
    // Sections, inverted sections, unescaped values, the current item and comments are fine.
    EXPECT_TRUE(template_problems("pir_markdown",
                                  "{{#timeline}}{{time}}{{/timeline}}{{^drill}}x{{/drill}}"
                                  "{{! a comment }}{{#went_well}}{{.}}{{/went_well}}",
                                  "f")
                    .empty());
    EXPECT_FALSE(template_problems("pir_markdown", "{{{svg}}}", "f").empty());  // HTML only
    EXPECT_FALSE(template_problems("page", "{{#oops}}", "f").empty());
}

// A declaration refreshed in place (Slack's headline update) is planned from the incident alone:
// the link it came from is the incident's, so the "Source" field survives every refresh.
TEST(TemplateVariables, ARefreshedDeclarationKeepsItsSourceLink) {
    const Config cfg = default_config();
    const Templates templates;
    const IncidentMessages messages(cfg, templates);
    Incident inc = incident();
    inc.source_link = "https://acme.pagerduty.com/incidents/PT4KHLK";
    const Notification refresh = Declared{inc, Actor{}};  // no link given, as a refresh plans it
    for (const auto& spec : messages_for(refresh, cfg)) {
        const auto payload = nlohmann::json::parse(message_payload(spec, inc, inc.declared_at));
        const Message m = messages.render(payload);
        bool shown = false;
        for (const auto& f : m.fields) shown = shown || f.value == inc.source_link;
        EXPECT_TRUE(shown) << spec.template_name;
    }
}
