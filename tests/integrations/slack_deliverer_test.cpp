// The Slack deliverer and the cpprestsdk client against the local fake Slack, over real HTTP.
#include "integrations/slack/slack_deliverer.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <future>

#include "bot/domain/channel_name.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/messages/incident_messages.h"
#include "bot/messages/templates.h"
#include "integrations/slack/slack_platform.h"
#include "storage/sqlite_storage.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"

using namespace muster;
using namespace muster::slack;
using Kind = DeliveryResult::Kind;

namespace {

const std::string kIncident = "INC-20261122-001";

struct Rig {
    test::TempDir dir;
    test::FakeSlack fake;
    FakeClock clock{1'800'000'000'000};
    Config cfg = default_config();
    Templates templates;
    IncidentMessages messages{cfg, templates};
    std::unique_ptr<Storage> storage = [this] {
        StorageOptions o;
        o.path = dir.file("s.db");
        o.clock = &clock;
        return open_sqlite_storage(o);
    }();
    std::unique_ptr<SlackDeliverer> deliverer;
    std::string token;
    int timeout_ms;

    explicit Rig(std::string token_ = "xoxb-test-token", int timeout = 2000)
        : token(std::move(token_)), timeout_ms(timeout) {
        http::init_client_threads(4);
        make_deliverer();
        Incident inc;
        inc.id = kIncident;
        inc.title = "t";
        inc.severity = "P1";
        inc.declared_at = inc.updated_at = clock.now_ms();
        Effects fx;
        fx.created = inc;
        apply(fx);
    }
    ~Rig() { storage->stop(); }
    // A new deliverer (what a restart gets): only the database remembers.
    void make_deliverer() {
        deliverer = std::make_unique<SlackDeliverer>(
            cfg, make_web_api(fake.api_url(), token, std::chrono::milliseconds(timeout_ms)), clock,
            *storage, messages, [](const std::string& url, const nlohmann::json& b) {
                return http::post_json(url, b, std::chrono::milliseconds(2000));
            });
    }
    void apply(Effects fx) {
        std::promise<Applied> done;
        ASSERT_TRUE(storage->apply(std::move(fx), [&done](Applied a) { done.set_value(a); }));
        ASSERT_EQ(done.get_future().get(), Applied::ok);
    }
    // Delivers one operation and applies what it learnt, as the outbox worker would.
    DeliveryResult run(const nlohmann::json& payload, const std::string& kind = "op") {
        OutboxItem item;
        item.incident_id = kIncident;
        item.destination = "slack";
        item.kind = kind;
        item.payload = payload.dump();
        DeliveryResult r = deliverer->deliver(item);
        if (!r.learned.writes_nothing()) {
            Effects learned = r.learned;
            if (learned.at == 0) learned.at = clock.now_ms();
            apply(learned);
        }
        return r;
    }
    std::vector<std::string> timeline_types() {
        std::vector<std::string> out;
        for (const auto& e : storage->timeline(kIncident)) out.push_back(e.type + ":" + e.text);
        return out;
    }
    std::string channel() { return storage->channel_of(kIncident, "slack")->channel_id; }
    // A message payload as a platform queues it: rendered by the deliverer.
    nlohmann::json message(const std::string& template_name, const std::string& status = "") {
        Incident inc = storage->load(kIncident)->incident;
        inc.title = "db";
        if (status == "monitoring") inc.status = Status::monitoring;
        return nlohmann::json::parse(
            message_payload({template_name, template_name, {}}, inc, clock.now_ms()));
    }
};

nlohmann::json create(const std::string& name, const std::string& response_url = "") {
    return {{"op", "create_channel"},
            {"name", name},
            {"is_private", false},
            {"response_url", response_url}};
}

}  // namespace

TEST(SlackDeliverer, CreatesTheChannelAndNeverReusesATakenName) {
    Rig r;
    r.fake.add_channel("C0OLD", "incident-20261122-0930-db-down");
    r.fake.add_channel("C0OLD2", "incident-20261122-0930-db-down-2");
    const auto res = r.run(create("incident-20261122-0930-db-down"));
    ASSERT_EQ(res.kind, Kind::delivered) << res.detail;
    const auto ch = r.fake.channel_by_name("incident-20261122-0930-db-down-3");
    ASSERT_TRUE(ch);
    EXPECT_EQ(r.channel(), ch->id);
    EXPECT_EQ(r.storage->load(kIncident)->incident.channel, "#incident-20261122-0930-db-down-3");
    const auto creates = r.fake.calls("conversations.create");
    ASSERT_EQ(creates.size(), 3u);
    EXPECT_EQ(creates[0].error, "name_taken");
    EXPECT_EQ(creates[1].error, "name_taken");
}

// The N-th incident with one title in one minute used to probe base, -2, …, -N again (one
// conversations.create each, Tier 2: the 4th channel of a burst came 15 s late).
TEST(SlackDeliverer, ABurstWithOneTitleCreatesEachChannelInOneCall) {
    Rig r;
    const std::string base = "incident-20261122-0930-db-down";
    for (int i = 0; i < 4; ++i) {
        const auto res = r.run(create(base));
        ASSERT_EQ(res.kind, Kind::delivered) << i << " " << res.detail;
    }
    const auto creates = r.fake.calls("conversations.create");
    ASSERT_EQ(creates.size(), 4u);
    for (const auto& c : creates) EXPECT_EQ(c.error, "") << c.args.dump();
    EXPECT_TRUE(r.fake.channel_by_name(base + "-4"));
    EXPECT_EQ(r.storage->last_channel_suffix("slack", base), 4);
    // After a restart (a new deliverer), the database still knows where the names are.
    r.make_deliverer();
    ASSERT_EQ(r.run(create(base)).kind, Kind::delivered);
    EXPECT_EQ(r.fake.calls("conversations.create").size(), 5u);
    EXPECT_TRUE(r.fake.channel_by_name(base + "-5"));
}

TEST(SlackDeliverer, NumberedNamesStayWithinEightyCharacters) {
    Rig r;
    const std::string base(80, 'a');
    r.fake.add_channel("C0FULL", base);
    ASSERT_EQ(r.run(create(base)).kind, Kind::delivered);
    EXPECT_TRUE(r.fake.channel_by_name(std::string(78, 'a') + "-2"));
}

TEST(SlackDeliverer, NumberedNamesShortenTheSlugNotTheIncidentId) {
    Rig r;
    nlohmann::json op = create("");
    op["name_from"] = {{"pattern", "{slug}-{id}"},
                       {"title", std::string(200, 'a')},
                       {"id", kIncident},
                       {"severity", "P1"},
                       {"declared_at", 1795339800000}};
    op["name"] =
        channel_name({"{slug}-{id}", std::string(200, 'a'), kIncident, "P1", 1795339800000});
    r.fake.add_channel("C0TAKEN", op["name"]);
    ASSERT_EQ(r.run(op).kind, Kind::delivered);
    const auto name = r.storage->load(kIncident)->incident.channel;
    EXPECT_LE(name.size(), 81u);  // with the '#'
    EXPECT_EQ(name.substr(name.size() - 19), "-inc-20261122-001-2") << name;
}

TEST(SlackDeliverer, PermanentErrorsReachTheTimelineAndTheUser) {
    Rig r;
    const auto res = r.run(create("Not A Valid Name", r.fake.response_url()));
    EXPECT_EQ(res.kind, Kind::failed);
    EXPECT_NE(res.detail.find("invalid_name_specials"), std::string::npos);
    const auto types = r.timeline_types();
    ASSERT_EQ(types.size(), 1u);
    EXPECT_NE(types[0].find(
                  "slack_error:Could not create channel #Not A Valid Name: invalid_name_specials"),
              std::string::npos);
    // The failure queued an answer to the person who typed the command.
    OutboxPort& outbox = *r.storage;
    const auto pending = outbox.due("slack", kChatPriority, r.clock.now_ms(), 10);
    ASSERT_EQ(pending.size(), 1u);
    OutboxItem note = pending[0];
    EXPECT_EQ(r.deliverer->deliver(note).kind, Kind::delivered);
    const auto responses = r.fake.responses();
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0]["response_type"], "ephemeral");
    EXPECT_NE(responses[0]["text"].get<std::string>().find("invalid_name_specials"),
              std::string::npos);
}

TEST(SlackDeliverer, ChannelNameRulesOfTheFakeAreSlacks) {
    Rig r;
    EXPECT_NE(r.run(create("")).detail.find("invalid_name_required"), std::string::npos);
    EXPECT_NE(r.run(create(std::string(81, 'a'))).detail.find("invalid_name_maxlength"),
              std::string::npos);
    EXPECT_NE(r.run(create("---")).detail.find("invalid_name_punctuation"), std::string::npos);
    EXPECT_NE(r.run(create("UPPER")).detail.find("invalid_name_specials"), std::string::npos);
}

TEST(SlackDeliverer, RetriesWhatMaySucceedLater) {
    Rig r(/*token*/ "xoxb-test-token", /*timeout_ms*/ 2000);  // generous: sanitizer builds are slow
    r.fake.ratelimit_next(1, 7);
    auto res = r.run(create("incident-a"));
    EXPECT_EQ(res.kind, Kind::retry);
    EXPECT_EQ(res.retry_after, r.clock.now_ms() + 7000);
    // Our own limiter now holds the method until Slack's Retry-After has passed.
    res = r.run(create("incident-a"));
    EXPECT_EQ(res.kind, Kind::retry);
    EXPECT_EQ(r.fake.calls("conversations.create").size(), 1u);
    r.clock.advance(7000);

    r.fake.fail_next(1, 503);
    res = r.run(create("incident-a"));
    EXPECT_EQ(res.kind, Kind::retry);
    EXPECT_FALSE(res.retry_after);  // backoff decides
    EXPECT_NE(res.detail.find("http_503"), std::string::npos);

    // cpprestsdk re-sends a request when a pooled connection turns out closed (after a timeout
    // it may do so more than once), so every create hangs until the fault is cleared; what must
    // hold is that no answer means "retry".
    r.fake.hang_next(1000, 6000, "conversations.create");
    res = r.run(create("incident-a"));
    EXPECT_EQ(res.kind, Kind::retry);
    EXPECT_NE(res.detail.find("transport"), std::string::npos) << res.detail;
    r.fake.clear_faults();

    r.clock.advance(60'000);
    EXPECT_EQ(r.run(create("incident-a")).kind, Kind::delivered);
    EXPECT_TRUE(r.fake.channel_by_name("incident-a"));
}

TEST(SlackDeliverer, BadTokenIsPermanent) {
    Rig r("xoxb-wrong");
    const auto res = r.run(create("incident-b"));
    EXPECT_EQ(res.kind, Kind::failed);
    EXPECT_NE(res.detail.find("invalid_auth"), std::string::npos);
}

TEST(SlackDeliverer, InvitesTolerateMembersAndRecordUnknownUsers) {
    Rig r;
    r.fake.add_user("U0ALICE");
    r.fake.add_user("U0BOB");
    ASSERT_EQ(r.run(create("incident-c")).kind, Kind::delivered);
    ASSERT_EQ(r.run({{"op", "invite"}, {"users", {"U0ALICE"}}}).kind, Kind::delivered);
    const auto res =
        r.run({{"op", "invite"}, {"users", {"U0ALICE", "U0GHOST", "U0BOB", "@typed-name"}}});
    EXPECT_EQ(res.kind, Kind::delivered);
    const auto ch = r.fake.channel_by_name("incident-c");
    EXPECT_EQ(ch->members, (std::set<std::string>{"U0ALICE", "U0BOB"}));
    const auto types = r.timeline_types();
    EXPECT_NE(types.back().find("invite_failed:Could not invite @U0GHOST: user_not_found"),
              std::string::npos);
}

TEST(SlackDeliverer, PostPinUpdateAndTopic) {
    Rig r;
    ASSERT_EQ(r.run(create("incident-d")).kind, Kind::delivered);
    const auto channel = r.channel();
    const nlohmann::json msg = r.message("declaration");
    ASSERT_EQ(r.run({{"op", "post"},
                     {"channel", "@incident"},
                     {"remember", "declaration"},
                     {"message", msg}})
                  .kind,
              Kind::delivered);
    ASSERT_EQ(r.run({{"op", "pin"}, {"purpose", "declaration"}}).kind, Kind::delivered);
    EXPECT_EQ(r.run({{"op", "pin"}, {"purpose", "declaration"}}).kind,
              Kind::delivered);  // already_pinned is fine
    const nlohmann::json ann = r.message("announcement");
    ASSERT_EQ(r.run({{"op", "post"},
                     {"channel", "C0ANNOUNCE"},
                     {"remember", "announcement"},
                     {"message", ann}})
                  .kind,
              Kind::delivered);
    const nlohmann::json ann2 = r.message("announcement", "monitoring");
    ASSERT_EQ(
        r.run({{"op", "update"}, {"purpose", "announcement"}, {"also", "alert"}, {"message", ann2}})
            .kind,
        Kind::delivered);
    Incident long_title = r.storage->load(kIncident)->incident;
    long_title.title = std::string(300, 't') + " R&D";
    ASSERT_EQ(r.run({{"op", "set_topic"}, {"incident", incident_to_json(long_title)}}).kind,
              Kind::delivered);

    const auto inc = r.fake.channel(channel);
    ASSERT_EQ(inc->messages.size(), 1u);
    EXPECT_TRUE(inc->messages[0].pinned);
    EXPECT_EQ(utf8_length(inc->topic), 250u);  // setTopic's limit, the title cut visibly
    EXPECT_EQ(inc->topic.substr(inc->topic.size() - 4), "t…");
    const auto announce = r.fake.channel("C0ANNOUNCE");
    ASSERT_EQ(announce->messages.size(), 1u);
    EXPECT_EQ(announce->messages[0].updates, 1);
    EXPECT_NE(announce->messages[0].args["blocks"].dump().find("Monitoring"), std::string::npos);
    // The announcement links the incident channel by id.
    EXPECT_NE(announce->messages[0].args["blocks"].dump().find("<#" + channel + ">"),
              std::string::npos);
}

TEST(SlackDeliverer, FollowUpsWithoutAChannelFailQuietly) {
    Rig r;
    const auto res = r.run({{"op", "set_topic"}, {"incident", {{"id", kIncident}}}});
    EXPECT_EQ(res.kind, Kind::failed);
    EXPECT_TRUE(r.timeline_types().empty());  // the creation failure already said it
}

// A storm in the announce channel: announcements that piled up in its queue go out as one
// digest naming every incident, remembered as a digest so no later status change rewrites it;
// an announcement waits (briefly) for its incident's channel, to link to it.
TEST(SlackDeliverer, AnnouncementsPiledUpInASharedChannelGoOutAsOneDigest) {
    Rig r;
    std::vector<OutboxItem> items;
    for (int i = 1; i <= 3; ++i) {
        Incident inc;
        inc.id = "INC-20261122-10" + std::to_string(i);
        inc.title = "storm " + std::to_string(i);
        inc.severity = "P2";
        inc.declared_at = inc.updated_at = r.clock.now_ms();
        if (i > 1) {
            Effects fx;
            fx.created = inc;
            r.apply(fx);
        } else {
            inc.id = kIncident;
        }
        OutboxItem item;
        item.id = i;
        item.incident_id = inc.id;
        item.destination = "slack";
        item.queue = shared_channel_queue("C0ANNOUNCE");
        item.kind = "announcement";
        item.created_at = r.clock.now_ms();
        item.payload = with_message(
            {{"op", "post"}, {"channel", "C0ANNOUNCE"}},
            message_payload({"announcement", "announcement", {}}, inc, r.clock.now_ms()));
        items.push_back(item);
    }
    EXPECT_EQ(r.deliverer->fold_limit(items[0]), kDigestMax - 1);
    // Alone and fresh, an announcement waits for the incident channel it links to ...
    const DeliveryResult waiting = r.deliverer->deliver(items[0]);
    EXPECT_EQ(waiting.kind, Kind::retry);
    EXPECT_FALSE(waiting.counts_as_attempt);
    // ... a digest does not wait.
    const DeliveryResult r3 = r.deliverer->deliver_folded(items[0], {items[1], items[2]});
    ASSERT_EQ(r3.kind, Kind::delivered);
    EXPECT_EQ(r3.also_delivered, (std::vector<std::int64_t>{2, 3}));
    ASSERT_EQ(r3.learned.remembered.size(), 3u);
    for (const auto& m : r3.learned.remembered) EXPECT_EQ(m.purpose, "digest");
    const auto announce = r.fake.channel("C0ANNOUNCE");
    ASSERT_EQ(announce->messages.size(), 1u);
    const std::string blocks = announce->messages[0].args["blocks"].dump();
    EXPECT_NE(blocks.find("3 incidents"), std::string::npos);
    for (const auto& item : items) EXPECT_NE(blocks.find(item.incident_id), std::string::npos);
    // Past the wait, a lone announcement goes out without the link.
    r.clock.advance(10'000);
    EXPECT_EQ(r.deliverer->deliver(items[0]).kind, Kind::delivered);
    EXPECT_EQ(r.fake.channel("C0ANNOUNCE")->messages.size(), 2u);
}
