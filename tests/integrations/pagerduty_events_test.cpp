// Our PagerDuty Events API v2 deliverer against the local fake PagerDuty over real HTTP.
#include "integrations/pagerduty/events_api.h"

#include <gtest/gtest.h>

#include "bot/domain/text.h"
#include "bot/messages/message.h"
#include "bot/service/escalation.h"
#include "tests/support/fake_pagerduty.h"

using namespace muster;
using Kind = DeliveryResult::Kind;

namespace {

// The incident's Slack channel as the deliverer reads it at send time.
struct FakeChat final : ChatReads {
    std::optional<ChannelBinding> channel;
    std::optional<ChannelBinding> channel_of(const std::string&, const std::string&) override {
        return channel;
    }
    std::vector<RememberedMessage> messages(const std::string&, const std::string&,
                                            const std::string&) override {
        return {};
    }
    int last_channel_suffix(const std::string&, const std::string&) override { return 0; }
};

struct Rig {
    bool pool_sized = (http::init_client_threads(4), true);  // before any client exists
    test::FakePagerDuty pd;
    FakeClock clock{1795339800000};
    std::shared_ptr<http::JsonClient> poster =
        http::make_json_client(pd.events_url(), {}, std::chrono::seconds(5));
    FakeChat chat;
    pagerduty::EventsDeliverer deliverer{
        [this](const nlohmann::json& body) { return poster->post("", body); }, clock, &chat};

    DeliveryResult page(const std::string& incident = "INC-20261122-001") {
        OutboxItem item;
        item.id = 1;
        item.incident_id = incident;
        item.destination = "pagerduty";
        item.kind = "page";
        item.payload = dump_json(
            {{"contact", "oncall-primary"},
             {"body",
              pagerduty::trigger(std::string(32, 'a'), page_dedup_key(incident, "oncall-primary"),
                                 "[P1 High] " + incident + ": checkout down", "error",
                                 {{"incident_id", incident}, {"channel", ""}}, "")}});
        return deliverer.deliver(item);
    }
};

}  // namespace

TEST(PagerDutyEvents, ATriggerLinksTheIncidentChannelOnceItExists) {
    Rig r;
    // The channel is not there yet (Slack is slow or down): the page goes out anyway, unlinked.
    ASSERT_EQ(r.page().kind, Kind::delivered);
    r.chat.channel = ChannelBinding{
        "C0INC1", "INC-20261122-001", "slack", "incident-20261122-0930-checkout-down", true, 0};
    ASSERT_EQ(r.page().kind, Kind::delivered);
    const auto events = r.pd.accepted();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_FALSE(events[0].contains("links"));
    EXPECT_EQ(events[1]["links"][0]["href"], "https://slack.com/app_redirect?channel=C0INC1");
    EXPECT_EQ(events[1]["links"][0]["text"], "Slack #incident-20261122-0930-checkout-down");
    EXPECT_EQ(events[1]["payload"]["custom_details"]["channel"],
              "#incident-20261122-0930-checkout-down");
    EXPECT_EQ(r.pd.rejected(), 0);
}

TEST(PagerDutyEvents, RefusalsAreFinalAndOutagesRetried) {
    Rig r;
    r.pd.fail_next(1, 503);
    const auto later = r.page();
    EXPECT_EQ(later.kind, Kind::retry);
    EXPECT_NE(later.detail.find("PagerDuty"), std::string::npos);
    r.pd.fail_next(1, 400);
    const auto refused = r.page();
    EXPECT_EQ(refused.kind, Kind::failed);
    EXPECT_NE(refused.detail.find("400"), std::string::npos);
    EXPECT_EQ(r.page().kind, Kind::delivered);
}

// Every field's documented limit holds on the value sent (PROTOCOLS §6): summary ≤ 1024
// characters, dedup_key ≤ 255, the whole event ≤ 512 KB.
TEST(PagerDutyEvents, EveryFieldIsWithinItsLimit) {
    const std::string long_title(300'000, 't');
    const auto body = pagerduty::trigger(
        std::string(32, 'a'), std::string(400, 'k'), "[P1 High] INC: " + long_title, "error",
        {{"title", long_title}, {"notes", {long_title, long_title}}},
        "https://slack.com/app_redirect?channel=C1");
    EXPECT_LE(dump_json(body).size(), 512u * 1024);
    EXPECT_LE(utf8_length(body["payload"]["summary"]), 1024u);
    EXPECT_LE(body["dedup_key"].get<std::string>().size(), 255u);
    EXPECT_EQ(body["links"][0]["href"], "https://slack.com/app_redirect?channel=C1");
    EXPECT_LE(
        pagerduty::follow_up(std::string(32, 'a'), std::string(400, 'k'), "resolve")["dedup_key"]
            .get<std::string>()
            .size(),
        255u);
    // The fake checks the same limits as PagerDuty: it accepts what we send.
    Rig r;
    OutboxItem item;
    item.id = 2;
    item.incident_id = "INC-20261122-001";
    item.destination = "pagerduty";
    item.kind = "page";
    item.payload = dump_json({{"contact", "oncall-primary"}, {"body", body}});
    EXPECT_EQ(r.deliverer.deliver(item).kind, Kind::delivered);
    EXPECT_EQ(r.pd.rejected(), 0);
}
