// PagerDuty Webhooks V3 in (PROTOCOLS §6): the signature in every documented and broken form,
// and each event type, with the documented payload shape, read into neutral terms.
#include "integrations/pagerduty/webhooks.h"

#include <gtest/gtest.h>

#include "integrations/hmac.h"

using namespace muster;
using namespace muster::pagerduty;

namespace {

const std::string kBody = R"({"event":{"id":"01","event_type":"pagey.ping"}})";

// The docs' incident, with a chosen event type (and what the type carries).
std::string incident_event(const std::string& type, const std::string& priority = "P1",
                           const std::string& key = "d3640fbd41094207a1c11e58e46b1662") {
    nlohmann::json inc = {
        {"id", "PGR0VU2"},
        {"type", "incident"},
        {"self", "https://api.pagerduty.com/incidents/PGR0VU2"},
        {"html_url", "https://acme.pagerduty.com/incidents/PGR0VU2"},
        {"number", 2},
        {"status", "triggered"},
        {"incident_key", key},
        {"created_at", "2020-04-09T15:16:27Z"},
        {"title", "A little bump in the road"},
        {"service", {{"id", "PF9KMXH"}, {"summary", "API Service"}, {"type", "service_reference"}}},
        {"assignees", {{{"id", "PTUXL6G"}, {"summary", "User 123"}, {"type", "user_reference"}}}},
        {"escalation_policy", {{"id", "PUS0KTE"}, {"summary", "Default"}}},
        {"teams", {{{"id", "PFCVPS0"}, {"summary", "Engineering"}}}},
        {"priority", priority.empty() ? nlohmann::json(nullptr)
                                      : nlohmann::json({{"id", "PSO75BM"}, {"summary", priority}})},
        {"urgency", "high"},
        {"resolve_reason", nullptr}};
    nlohmann::json data = inc;
    const nlohmann::json ref = {{"id", "PGR0VU2"},
                                {"type", "incident_reference"},
                                {"summary", "A little bump in the road"}};
    if (type == "incident.annotated")
        data = {{"incident", ref},
                {"id", "P2LA89X"},
                {"content", "I sure am glad we are using PagerDuty!"},
                {"type", "incident_note"}};
    if (type == "incident.status_update_published")
        data = {{"incident", ref},
                {"message", "A fix for this incident is being developed"},
                {"type", "incident_status_update"}};
    if (type == "incident.responder.added" || type == "incident.responder.replied")
        data = {{"incident", ref},
                {"user", {{"id", "PVMGSML"}, {"summary", "Maeve"}}},
                {"message", "Please help me make the tests pass"},
                {"state", "pending"},
                {"type", "incident_responder"}};
    return nlohmann::json({{"event",
                            {{"id", "5ac64822-4adc-4fda-ade0-410becf0de4f"},
                             {"event_type", type},
                             {"resource_type", "incident"},
                             {"occurred_at", "2020-10-02T18:45:22.169Z"},
                             {"agent", {{"id", "PLH1HKV"}, {"summary", "Tenex Engineer"}}},
                             {"client", {{"name", "PagerDuty"}}},
                             {"data", data}}}})
        .dump();
}

WebhookEvent read(const std::string& body, const Config& cfg = default_config()) {
    auto r = read_webhook(cfg, body, 1);
    EXPECT_TRUE(std::holds_alternative<WebhookEvent>(r)) << std::get<WebhookError>(r).reason;
    return std::holds_alternative<WebhookEvent>(r) ? std::get<WebhookEvent>(r) : WebhookEvent{};
}

}  // namespace

TEST(PagerDutySignature, EveryDocumentedAndBrokenForm) {
    using S = WebhookSignature;
    const std::string good = signature("secret-1", kBody);
    EXPECT_EQ(check_signature({"secret-1"}, good, kBody), S::ok);
    // Rotation: the new secret signs, the old one is still configured (and the other way).
    EXPECT_EQ(check_signature({"old", "secret-1"}, good, kBody), S::ok);
    // Several signatures, only one of them ours.
    EXPECT_EQ(
        check_signature(
            {"secret-1"},
            signature("someone-else", kBody) + ", " + good + ",v1=" + std::string(64, '0'), kBody),
        S::ok);
    EXPECT_EQ(check_signature({"secret-1"}, signature("wrong", kBody), kBody), S::mismatch);
    EXPECT_EQ(check_signature({"secret-1"}, good, kBody + " "), S::mismatch);
    EXPECT_EQ(check_signature({}, good, kBody), S::mismatch);  // nothing configured
    EXPECT_EQ(check_signature({"secret-1"}, "", kBody), S::missing);
    EXPECT_EQ(check_signature({"secret-1"}, "  ", kBody), S::missing);
    // Only entries of another version: nothing we can check.
    EXPECT_EQ(check_signature({"secret-1"}, "v0=" + hmac_sha256_hex("secret-1", kBody), kBody),
              S::malformed);
    EXPECT_EQ(check_signature({"secret-1"}, "v1=xyz", kBody), S::malformed);
    EXPECT_EQ(check_signature({"secret-1"}, "garbage", kBody), S::malformed);
    EXPECT_EQ(check_signature({"secret-1"}, good + ",v1=short", kBody), S::malformed);
    // Upper-case hex is the same signature.
    std::string upper = good;
    for (std::size_t i = 3; i < upper.size(); ++i)
        upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
    EXPECT_EQ(check_signature({"secret-1"}, upper, kBody), S::ok);
}

TEST(PagerDutyWebhook, TriggeredOpensAnAlertGroupAtThePrioritysSeverity) {
    const WebhookEvent e = read(incident_event("incident.triggered"));
    EXPECT_EQ(e.id, "5ac64822-4adc-4fda-ade0-410becf0de4f");
    ASSERT_TRUE(e.opened);
    EXPECT_EQ(e.opened->source, "pagerduty");
    EXPECT_EQ(e.opened->group_key, "PGR0VU2");
    EXPECT_EQ(e.opened->severity, "P1");
    EXPECT_EQ(e.opened->title, "A little bump in the road");
    EXPECT_EQ(e.opened->link, "PagerDuty #2 https://acme.pagerduty.com/incidents/PGR0VU2");
    ASSERT_EQ(e.opened->alerts.size(), 1u);
    EXPECT_EQ(e.opened->alerts[0].labels.at("pagerduty_service"), "PF9KMXH");
    EXPECT_EQ(e.opened->at, 1601664322169);  // occurred_at
    // No priority that names one of ours: urgency through pagerduty.auto_declare (high → P1).
    EXPECT_EQ(read(incident_event("incident.triggered", "")).opened->severity, "P1");
    EXPECT_EQ(read(incident_event("incident.triggered", "SEV-9")).opened->severity, "P1");
}

TEST(PagerDutyWebhook, APageMusterSentLinksInsteadOfDeclaringAgain) {
    const WebhookEvent e =
        read(incident_event("incident.triggered", "P1", "muster:INC-20261122-004:oncall-primary"));
    EXPECT_FALSE(e.opened);
    ASSERT_TRUE(e.action);
    EXPECT_EQ(e.action->kind, "link");
    EXPECT_EQ(e.own_incident, "INC-20261122-004");
}

TEST(PagerDutyWebhook, EveryIncidentEventTypeMapsToAnAction) {
    const std::map<std::string, std::string> kinds = {
        {"incident.acknowledged", "acknowledge"},
        {"incident.resolved", "resolve"},
        {"incident.reopened", "reopen"},
        {"incident.priority_updated", "severity"},
        {"incident.unacknowledged", "event"},
        {"incident.escalated", "event"},
        {"incident.reassigned", "event"},
        {"incident.delegated", "event"},
        {"incident.annotated", "note"},
        {"incident.status_update_published", "event"},
        {"incident.responder.added", "event"},
        {"incident.responder.replied", "event"},
        {"incident.conference_bridge.updated", "event"},  // unknown to us: recorded
    };
    for (const auto& [type, kind] : kinds) {
        const WebhookEvent e = read(incident_event(type));
        ASSERT_TRUE(e.action) << type;
        EXPECT_EQ(e.action->kind, kind) << type;
        EXPECT_EQ(e.action->external_id, "PGR0VU2") << type;
        EXPECT_EQ(e.action->source, "pagerduty") << type;
        EXPECT_EQ(e.action->actor, "Tenex Engineer") << type;
    }
    EXPECT_EQ(read(incident_event("incident.priority_updated", "P0")).action->severity, "P0");
    EXPECT_NE(read(incident_event("incident.annotated")).action->text.find("glad we are using"),
              std::string::npos);
    EXPECT_NE(read(incident_event("incident.escalated")).action->text.find("User 123"),
              std::string::npos);
    EXPECT_NE(read(incident_event("incident.responder.added")).action->text.find("Maeve"),
              std::string::npos);
    EXPECT_NE(read(incident_event("incident.status_update_published"))
                  .action->text.find("A fix for this incident"),
              std::string::npos);
}

TEST(PagerDutyWebhook, PingsAndOtherResourcesAreRecordedOnly) {
    const WebhookEvent ping = read(kBody);
    EXPECT_EQ(ping.type, "pagey.ping");
    EXPECT_FALSE(ping.opened);
    EXPECT_FALSE(ping.action);
    const WebhookEvent svc = read(
        R"({"event":{"id":"01B","event_type":"service.updated","resource_type":"service","data":{"id":"PF9KMXH"}}})");
    EXPECT_FALSE(svc.opened);
    EXPECT_FALSE(svc.action);
}

TEST(PagerDutyWebhook, MalformedBodiesAreRefusedWithAReason) {
    for (const std::string& bad : std::vector<std::string>{
             "", "not json", "[]", R"({"event":1})", R"({"event":{"id":"x"}})",
             R"({"event":{"event_type":"incident.triggered"}})",
             R"({"event":{"id":"x","event_type":"incident.triggered"}})",
             R"({"event":{"id":"x","event_type":"incident.triggered","data":{"title":"no id"}}})",
             R"({"event":{"id":)" + std::string(100, '[') + "}}"})
        EXPECT_TRUE(std::holds_alternative<WebhookError>(read_webhook(default_config(), bad, 1)))
            << bad;
}

TEST(PagerDutyWebhook, UntrustedTextIsDecodedOnce) {
    std::string body = incident_event("incident.triggered");
    const std::string from = "A little bump in the road";
    body.replace(body.find(from), from.size(), "bump\\u001b[2J\\nline <b>&amp;</b>");
    const WebhookEvent e = read(body);
    // Control characters dropped, one line; markup stays text (escaped per output later).
    EXPECT_EQ(e.opened->title, "bump[2J line <b>&amp;</b>");
}
