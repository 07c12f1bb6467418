// Delivery under a backlog (issue 8 item 6): how long a page waits when 10,000 chat messages are
// already queued, against the same pages with nothing queued (the baseline, in the same run). The
// real storage adapter (a SQLite file, WAL, synchronous=full), the real outbox worker and its
// lanes; the deliverer stands in for a platform that takes 2 ms per chat message and 1 ms per
// page. Latency is a page's delivery time minus the time its row was committed.
//
//   build/bench/delivery_bench [--backlog 10000] [--pages 200]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/runtime/outbox_worker.h"
#include "storage/sqlite_storage.h"

using namespace muster;

namespace {

// A platform that takes a while per call, and remembers when each page got through.
class SlowPlatform final : public Deliverer {
  public:
    explicit SlowPlatform(const Clock& clock) : clock_(clock) {}
    DeliveryResult deliver(const OutboxItem& item) override {
        const bool page = item.priority == kPagePriority;
        std::this_thread::sleep_for(std::chrono::microseconds(page ? 1000 : 2000));
        if (page) {
            std::lock_guard<std::mutex> lk(mu_);
            page_latency_ms_.push_back(static_cast<double>(clock_.now_ms() - item.created_at));
        } else {
            ++chat_;
        }
        return DeliveryResult::ok("ok");
    }
    bool resend_is_harmless() const override { return true; }
    std::vector<double> pages() {
        std::lock_guard<std::mutex> lk(mu_);
        return page_latency_ms_;
    }
    int chat() const { return chat_.load(); }

  private:
    const Clock& clock_;
    std::mutex mu_;
    std::vector<double> page_latency_ms_;
    std::atomic<int> chat_{0};
};

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void apply(Storage& s, Effects fx) {
    std::promise<Applied> done;
    s.apply(std::move(fx), [&done](Applied a) { done.set_value(a); });
    if (done.get_future().get() != Applied::ok) throw std::runtime_error("not applied");
}

QueuedOp op(const std::string& queue, int priority, const std::string& kind) {
    QueuedOp o;
    o.destination = "bench";
    o.queue = "bench:" + queue;
    o.kind = kind;
    o.payload = "{}";
    o.priority = priority;
    return o;
}

struct Run {
    std::vector<double> page_ms;
    double backlog_drain_s = 0;
    double due_query_us = 0;
};

Run run(int backlog, int pages) {
    char tmpl[] = "/tmp/muster-delivery-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    SystemClock clock;
    StorageOptions o;
    o.path = dir + "/d.db";
    auto storage = open_sqlite_storage(o);
    // The backlog: announcements and status updates of 1,000 incidents, queued before the pages.
    for (int done = 0; done < backlog; done += 500) {
        Effects fx;
        fx.at = clock.now_ms();
        for (int i = done; i < std::min(backlog, done + 500); ++i)
            fx.outbox.push_back(op("incident:" + std::to_string(i % 1000), kChatPriority, "post"));
        apply(*storage, fx);
    }
    // Finding the due work with the backlog there: a range of one index.
    const auto q0 = std::chrono::steady_clock::now();
    OutboxPort& outbox = *storage;
    for (int i = 0; i < 100; ++i) (void)outbox.due("bench", kChatPriority, clock.now_ms(), 64);
    Run r;
    r.due_query_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - q0).count() /
        100;
    auto platform = std::make_shared<SlowPlatform>(clock);
    OutboxWorker worker(*storage, clock, RetryPolicy{1000, 60'000, 0.2});
    worker.add_deliverer("bench", platform);
    storage->on_commit([&worker] { worker.notify(); });
    const auto start = std::chrono::steady_clock::now();
    worker.start();
    for (int i = 0; i < pages; ++i) {
        Effects fx;
        fx.at = clock.now_ms();
        fx.outbox.push_back(op("dm:oncall-" + std::to_string(i % 5), kPagePriority, "page"));
        apply(*storage, fx);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    while (platform->pages().size() < static_cast<std::size_t>(pages) || platform->chat() < backlog)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r.backlog_drain_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    worker.stop();
    storage->stop();
    r.page_ms = platform->pages();
    std::string rm = "rm -rf " + dir;
    if (std::system(rm.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    int backlog = 10'000, pages = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--backlog") == 0) backlog = std::atoi(argv[i + 1]);
        if (std::strcmp(argv[i], "--pages") == 0) pages = std::atoi(argv[i + 1]);
    }
    const Run base = run(0, pages);
    const Run loaded = run(backlog, pages);
    std::printf("%-36s %9s %9s %9s %12s\n", "", "p50 ms", "p99 ms", "max ms", "due() µs");
    std::printf("%-36s %9.1f %9.1f %9.1f %12.1f\n", "pages, nothing else queued",
                pct(base.page_ms, 0.5), pct(base.page_ms, 0.99), pct(base.page_ms, 1.0),
                base.due_query_us);
    std::printf("%-36s %9.1f %9.1f %9.1f %12.1f\n",
                ("pages behind " + std::to_string(backlog) + " chat messages").c_str(),
                pct(loaded.page_ms, 0.5), pct(loaded.page_ms, 0.99), pct(loaded.page_ms, 1.0),
                loaded.due_query_us);
    std::printf(
        "\np99 ratio %.2f; p99 with the backlog %.0f ms (target < 1000); backlog of %d "
        "delivered in %.1f s at 2 ms a message\n",
        pct(loaded.page_ms, 0.99) / std::max(1.0, pct(base.page_ms, 0.99)),
        pct(loaded.page_ms, 0.99), backlog, loaded.backlog_drain_s);
    return 0;
}
