#include "bot/runtime/outbox_worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {

// Answers from a script, and remembers what it was asked to deliver.
class ScriptedDeliverer : public Deliverer {
  public:
    std::deque<DeliveryResult> script;
    std::vector<std::int64_t> seen;
    DeliveryResult deliver(const OutboxItem& item) override {
        seen.push_back(item.id);
        if (script.empty()) return DeliveryResult::ok("ok");
        auto r = script.front();
        script.pop_front();
        return r;
    }
};

struct Fixture {
    test::TempDir dir;
    FakeClock clock{1'000'000};
    std::unique_ptr<Storage> storage = [this] {
        StorageOptions o;
        o.path = dir.file("o.db");
        o.clock = &clock;
        return open_sqlite_storage(o);
    }();
    ~Fixture() { storage->stop(); }

    Applied apply(Effects fx) {
        std::promise<Applied> done;
        if (!storage->apply(std::move(fx), [&done](Applied a) { done.set_value(a); }))
            return Applied::busy;
        return done.get_future().get();
    }
    std::int64_t add(const std::string& channel, const std::string& kind,
                     const std::string& destination = "test", int priority = kChatPriority) {
        Effects fx;
        fx.at = clock.now_ms();
        QueuedOp op;
        op.destination = destination;
        op.queue = channel.rfind(destination + ":", 0) == 0 ? channel : destination + ":" + channel;
        op.kind = kind;
        op.payload = "{}";
        op.priority = priority;
        fx.outbox.push_back(op);
        EXPECT_EQ(apply(fx), Applied::ok);
        return row_count();
    }
    std::int64_t row_count() {
        SQLite::Database db(dir.file("o.db"), SQLite::OPEN_READONLY);
        return db.execAndGet("SELECT MAX(id) FROM outbox").getInt64();
    }
    OutboxItem row(std::int64_t id) {
        SQLite::Database db(dir.file("o.db"), SQLite::OPEN_READONLY);
        SQLite::Statement q(db,
                            "SELECT status, attempts, next_attempt_at, IFNULL(last_error,'') FROM "
                            "outbox WHERE id=?");
        q.bind(1, static_cast<int64_t>(id));
        q.executeStep();
        OutboxItem o;
        o.status = q.getColumn(0).getString();
        o.attempts = q.getColumn(1).getInt();
        o.next_attempt_at = q.getColumn(2).getInt64();
        o.last_error = q.getColumn(3).getString();
        return o;
    }
};

}  // namespace

TEST(OutboxWorker, RetriesWithBackoffAndKeepsChannelOrder) {
    Fixture f;
    auto d = std::make_shared<ScriptedDeliverer>();
    d->script = {DeliveryResult::later("HTTP 500")};
    OutboxWorker w(*f.storage, f.clock, RetryPolicy{1000, 60'000, 0.0});
    w.add_deliverer("test", d);
    const auto a1 = f.add("chan-a", "first");
    const auto a2 = f.add("chan-a", "second");
    const auto b1 = f.add("chan-b", "other");

    EXPECT_EQ(w.run_due(), 2u);  // a1 failed (retry), b1 delivered; a2 waits behind a1
    EXPECT_EQ(d->seen, (std::vector<std::int64_t>{a1, b1}));
    EXPECT_EQ(f.row(a1).status, "pending");
    EXPECT_EQ(f.row(a1).attempts, 1);
    EXPECT_EQ(f.row(a1).next_attempt_at, f.clock.now_ms() + 1000);
    EXPECT_EQ(f.row(a1).last_error, "HTTP 500");
    EXPECT_EQ(f.row(a2).status, "pending");
    EXPECT_EQ(f.row(b1).status, "delivered");

    f.clock.advance(999);
    EXPECT_EQ(w.run_due(), 0u);  // not due yet, and a2 must not overtake a1
    f.clock.advance(1);
    EXPECT_EQ(w.run_due(), 2u);
    EXPECT_EQ(d->seen, (std::vector<std::int64_t>{a1, b1, a1, a2}));
    EXPECT_EQ(f.row(a1).status, "delivered");
    EXPECT_EQ(f.row(a2).status, "delivered");
}

TEST(OutboxWorker, RetryAfterFromThePlatformWinsAndPermanentFailuresStop) {
    Fixture f;
    auto d = std::make_shared<ScriptedDeliverer>();
    d->script = {DeliveryResult::later("429", f.clock.now_ms() + 30'000),
                 DeliveryResult::failed("channel_not_found")};
    OutboxWorker w(*f.storage, f.clock, RetryPolicy{1000, 60'000, 0.0});
    w.add_deliverer("test", d);
    const auto id = f.add("c", "x");
    w.run_due();
    EXPECT_EQ(f.row(id).next_attempt_at, f.clock.now_ms() + 30'000);
    f.clock.advance(30'000);
    w.run_due();
    EXPECT_EQ(f.row(id).status, "failed");
    EXPECT_EQ(f.row(id).last_error, "channel_not_found");
    f.clock.advance(3'600'000);
    EXPECT_EQ(w.run_due(), 0u);
}

TEST(OutboxWorker, BackoffGrowsAndIsCapped) {
    RetryPolicy p{1000, 8000, 0.0};
    std::mt19937 rng(1);
    EXPECT_EQ(p.delay(0, rng), 1000);
    EXPECT_EQ(p.delay(1, rng), 2000);
    EXPECT_EQ(p.delay(3, rng), 8000);
    EXPECT_EQ(p.delay(30, rng), 8000);
    RetryPolicy j{1000, 8000, 0.2};
    for (int i = 0; i < 100; ++i) {
        const auto d = j.delay(2, rng);
        EXPECT_GE(d, 3200);
        EXPECT_LE(d, 4800);
    }
}

// A configuration slip (a destination left out, a mistyped ${VAR}) must not lose the backlog:
// the rows wait, are counted for the operator, and go out once the destination is back.
TEST(OutboxWorker, RowsForAnUnconfiguredDestinationWaitUntilItIsBack) {
    Fixture f;
    const auto id = f.add("c", "x");
    {
        OutboxWorker w(*f.storage, f.clock);  // nothing delivers "test" here
        EXPECT_EQ(w.run_due(), 0u);
        EXPECT_EQ(w.waiting_for_unconfigured(), (std::map<std::string, int>{{"test", 1}}));
        w.start();
        w.stop();
    }
    EXPECT_EQ(f.row(id).status, "pending");
    // Configured again (the next start): delivered.
    auto d = std::make_shared<ScriptedDeliverer>();
    OutboxWorker w(*f.storage, f.clock);
    w.add_deliverer("test", d);
    EXPECT_TRUE(w.waiting_for_unconfigured().empty());
    EXPECT_EQ(w.run_due(), 1u);
    EXPECT_EQ(f.row(id).status, "delivered");
}

namespace {
// Hangs like a platform that accepts the connection and never answers, until released.
class HungDeliverer : public Deliverer {
  public:
    std::promise<void> entered;
    std::shared_future<void> release;
    DeliveryResult deliver(const OutboxItem&) override {
        entered.set_value();
        release.wait();
        return DeliveryResult::ok("late");
    }
};
class SignallingDeliverer : public Deliverer {
  public:
    std::promise<void> called;
    DeliveryResult deliver(const OutboxItem&) override {
        called.set_value();
        return DeliveryResult::ok("ok");
    }
};
}  // namespace

// Slack hanging (each call up to its timeout) must not hold back a due PagerDuty page: each
// destination has its own lane.
TEST(OutboxWorker, AHungPlatformDoesNotHoldBackAnother) {
    Fixture f;
    auto slack = std::make_shared<HungDeliverer>();
    std::promise<void> release;
    slack->release = release.get_future().share();
    auto pagerduty = std::make_shared<SignallingDeliverer>();
    OutboxWorker w(*f.storage, f.clock);
    w.add_deliverer("slack", slack);
    w.add_deliverer("pagerduty", pagerduty);
    const auto post = f.add("slack:incident:1", "post", "slack");  // older: first in line
    const auto page = f.add("pagerduty:1:oncall", "page", "pagerduty");
    w.start();
    ASSERT_EQ(slack->entered.get_future().wait_for(std::chrono::seconds(10)),
              std::future_status::ready);
    EXPECT_EQ(pagerduty->called.get_future().wait_for(std::chrono::seconds(10)),
              std::future_status::ready)
        << "the page waited for the hung Slack call";
    release.set_value();
    w.stop();
    EXPECT_EQ(f.row(post).status, "delivered");
    EXPECT_EQ(f.row(page).status, "delivered");
}

TEST(OutboxWorker, AQueueNeverSpansDestinations) {
    Fixture f;
    Effects bad;
    bad.outbox.push_back({"INC-1", "slack", "pagerduty:INC-1", "post", "{}", kChatPriority, 0});
    EXPECT_EQ(f.apply(bad), Applied::failed);
    // Each lane sees only its own heads; "slack:" is not a prefix of "slackware:".
    f.add("INC-1", "post", "slack");
    f.add("INC-1", "post", "slackware");
    OutboxPort& outbox = *f.storage;
    const auto slack = outbox.due("slack", kChatPriority, f.clock.now_ms(), 10);
    ASSERT_EQ(slack.size(), 1u);
    EXPECT_EQ(slack[0].destination, "slack");
}

// A page is never queued behind chat messages: pages have a lane of their own per destination,
// so thousands of pending announcements do not delay one.
TEST(OutboxWorker, APageGoesOutFirstWhateverIsQueuedBeforeIt) {
    Fixture f;
    auto d = std::make_shared<ScriptedDeliverer>();
    OutboxWorker w(*f.storage, f.clock);
    w.add_deliverer("test", d);
    for (int i = 0; i < 300; ++i) f.add("chan-" + std::to_string(i), "announcement");
    const auto page = f.add("dm:oncall", "page", "test", kPagePriority);
    // The page lane's due query sees only pages: the page is the first thing it delivers.
    OutboxPort& outbox = *f.storage;
    const auto pages = outbox.due("test", kPagePriority, f.clock.now_ms(), 64);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].id, page);
    w.run_due();  // lanes in order: the page lane runs first
    ASSERT_FALSE(d->seen.empty());
    EXPECT_EQ(d->seen.front(), page);
    EXPECT_EQ(d->seen.size(), 301u);
}
