// Item 6 of issue 8: announcements that pile up in a shared channel go out as digests, so a
// storm of declarations cannot grow the announce channel's queue without bound; a lone
// announcement still goes out on its own, and nothing is lost or repeated.
#include <gtest/gtest.h>

#include <sstream>

#include "bot/runtime/outbox_worker.h"
#include "integrations/console/console_sink.h"
#include "tests/support/core_world.h"

using namespace muster;

namespace {

int occurrences(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

struct Rig {
    test::CoreWorld world{default_config(), 1795339800000};
    std::ostringstream out;
    IncidentMessages messages{world.cfg, world.templates};
    std::shared_ptr<ConsoleSink> sink = std::make_shared<ConsoleSink>(out, messages);
    OutboxWorker worker{*world.storage, world.clock};
    Rig() { worker.add_deliverer("console", sink); }
    ~Rig() { worker.stop(); }
};

}  // namespace

TEST(ConsoleDigest, AnnouncementsPiledUpInTheAnnounceChannelGoOutAsOneDigest) {
    Rig r;
    const int n = 25;  // more than one digest holds
    for (int i = 0; i < n; ++i) r.world.run("declare P2 checkout 5xx on node " + std::to_string(i));
    // Fresh rows go out whole: a digest is for a backlog, rows that have waited.
    r.world.clock.advance(kFoldAfterMs);
    r.worker.run_due();
    const std::string text = r.out.str();
    // Every incident channel got its own declaration; #incidents got two digests (20 + 5)
    // instead of 25 messages, as did P2's alert channel, and every incident is named in one
    // digest of each.
    EXPECT_EQ(occurrences(text, "(declaration, INC-"), n);
    EXPECT_EQ(occurrences(text, "console → #incidents (announcement"), 2);
    EXPECT_EQ(occurrences(text, "20 incidents declared or changed"), 2);
    EXPECT_EQ(occurrences(text, "5 incidents declared or changed"), 2);
    for (int i = 0; i < n; ++i)
        EXPECT_EQ(occurrences(text, "checkout 5xx on node " + std::to_string(i) + " · "), 2)
            << i;  // once in the #incidents digest, once in the alert channel's
    EXPECT_EQ(r.world.count("SELECT COUNT(*) FROM outbox WHERE status <> 'delivered'"), 0);
    EXPECT_EQ(r.world.count("SELECT COUNT(*) FROM outbox WHERE result LIKE 'folded into #%'"),
              2 * (n - 2));

    // Once the backlog is gone, announcements that have not waited go out whole, from their
    // template, even two at once.
    r.out.str("");
    r.world.run("declare P2 one more");
    r.world.run("declare P2 and another");
    r.world.clock.advance(kFoldAfterMs - 1);
    r.worker.run_due();
    EXPECT_EQ(occurrences(r.out.str(), "incidents declared or changed"), 0);
    EXPECT_EQ(occurrences(r.out.str(), "console → #incidents (announcement"), 2);
    EXPECT_NE(r.out.str().find("one more"), std::string::npos);
}
