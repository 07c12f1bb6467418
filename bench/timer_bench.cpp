// Timer benchmark (issue: pages within 1 s of due time at p99 with 10,000 live timers, CPU idle
// between them, 1,000 overdue pages sent within 5 s of start-up).
//
// In-process, real SQLite file, real TimerLoop and Escalation on the system clock. Lateness is
// fired_at − due_at as recorded in the timers table. The baseline in the same run is 100 timers
// over the same span: the figure that matters is the ratio.
//
//   build/bench/timer_bench [--timers 10000] [--spread-ms 10000] [--overdue 1000]
#include <SQLiteCpp/Statement.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bot/runtime/outbox_worker.h"
#include "bot/runtime/timer_loop.h"
#include "commands/handlers.h"
#include "integrations/pagerduty/events_api.h"
#include "storage/database.h"
#include "tests/support/fake_pagerduty.h"
#include "tests/support/temp_dir.h"

using namespace muster;

namespace {

double cpu_ms() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec * 1e3 + u.ru_utime.tv_usec / 1e3 + u.ru_stime.tv_sec * 1e3 +
           u.ru_stime.tv_usec / 1e3;
}

struct Run {
    std::vector<double> late_ms;
    double wall_ms = 0;
};

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// n P1 incidents, each with one timer of `kind` due at due(i): the state after a busy day or
// after downtime, written straight into the tables.
void seed(Writer& writer, int n, const std::string& status, const std::string& kind,
          const std::string& key, const std::string& payload,
          const std::function<EpochMs(int)>& due, EpochMs created) {
    writer
        .call<int>([&](SQLite::Database& db) {
            SQLite::Statement inc(
                db,
                "INSERT INTO incidents (id, day, seq, title, severity, status, "
                "declared_at, updated_at) VALUES (?, '20260101', ?, 'bench', 'P1', ?, ?, ?)");
            SQLite::Statement tim(
                db,
                "INSERT INTO timers (incident_id, kind, key, due_at, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)");
            for (int i = 0; i < n; ++i) {
                const std::string id = "INC-20260101-" + std::to_string(100000 + i);
                inc.bind(1, id);
                inc.bind(2, i + 1);
                inc.bind(3, status);
                inc.bind(4, static_cast<int64_t>(created));
                inc.bind(5, static_cast<int64_t>(created));
                inc.exec();
                inc.reset();
                tim.bind(1, id);
                tim.bind(2, kind);
                tim.bind(3, key);
                tim.bind(4, static_cast<int64_t>(due(i)));
                tim.bind(5, payload);
                tim.bind(6, static_cast<int64_t>(created));
                tim.exec();
                tim.reset();
            }
            return 0;
        })
        .get();
}

// n incidents, each with one reminder timer due at start + offset(i); fires them all and reports.
Run run(int n, EpochMs first_due_offset, EpochMs spread_ms, bool quiet_check = false,
        double* idle_cpu = nullptr) {
    test::TempDir dir;
    Config cfg = default_config();
    cfg.chat.console = false;
    Templates templates;
    SystemClock clock;
    Writer writer(open_database({dir.file("t.db"), "normal"}));
    CommandHandlers handlers(cfg, templates);
    const EpochMs start = clock.now_ms();
    seed(
        writer, n, "resolved", "pir_reminder", "1", "{}",
        [&](int i) { return start + first_due_offset + (spread_ms * i) / std::max(1, n); }, start);
    TimerLoop loop(writer, clock, handlers.escalation());
    writer.on_commit([&] { loop.notify(); });  // wired as in `muster serve`
    const auto t0 = std::chrono::steady_clock::now();
    loop.start();
    if (quiet_check && idle_cpu) {
        // Nothing is due for a while: the loop must sleep, not poll.
        const double before = cpu_ms();
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
        *idle_cpu = cpu_ms() - before;
    }
    Run r;
    for (;;) {
        const int left =
            writer
                .call<int>([](SQLite::Database& db) {
                    return db.execAndGet("SELECT COUNT(*) FROM timers WHERE state = 'pending'")
                        .getInt();
                })
                .get();
        if (left == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    r.wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    loop.stop();
    writer
        .call<int>([&](SQLite::Database& db) {
            SQLite::Statement q(db, "SELECT fired_at - due_at FROM timers");
            while (q.executeStep())
                r.late_ms.push_back(static_cast<double>(q.getColumn(0).getInt64()));
            return 0;
        })
        .get();
    return r;
}

// n incidents whose level-1 page fell due an hour ago, as after downtime: start the timer loop
// and the outbox worker, and time until a local PagerDuty has accepted every trigger.
double catch_up_sent_ms(int n) {
    test::TempDir dir;
    test::FakePagerDuty pd;
    Config cfg = default_config();
    cfg.chat.console = false;
    cfg.contacts["oncall-primary"].pagerduty_routing_key = std::string(32, 'a');
    cfg.pagerduty.events_url = pd.events_url();
    Templates templates;
    SystemClock clock;
    Writer writer(open_database({dir.file("c.db"), "normal"}));
    CommandHandlers handlers(cfg, templates);
    const EpochMs start = clock.now_ms();
    seed(
        writer, n, "investigating", "page", "L1.1@0", R"({"level":1,"attempt":1})",
        [&](int) { return start - 3'600'000; }, start - 3'600'000);
    slack::init_http_client_threads(4);
    OutboxWorker outbox(writer, clock);
    std::shared_ptr<slack::JsonPoster> events =
        slack::make_json_poster(cfg.pagerduty.events_url, std::chrono::seconds(5));
    outbox.add_deliverer("pagerduty", std::make_shared<pagerduty::EventsDeliverer>(
                                          cfg.pagerduty.events_url,
                                          [events](const std::string&, const nlohmann::json& body) {
                                              return events->post(body);
                                          },
                                          clock));
    TimerLoop loop(writer, clock, handlers.escalation());
    writer.on_commit([&] {
        outbox.notify();
        loop.notify();
    });
    const auto t0 = std::chrono::steady_clock::now();
    outbox.start();
    loop.start();
    pd.wait_until(
        [n](test::FakePagerDuty& p) { return static_cast<int>(p.accepted().size()) >= n; }, 60'000);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    loop.stop();
    outbox.stop();
    if (static_cast<int>(pd.accepted().size()) < n) {
        const auto stats =
            writer
                .call<std::string>([](SQLite::Database& db) {
                    SQLite::Statement q(db,
                                        "SELECT status || ':' || COUNT(*) || ':' || "
                                        "IFNULL(MAX(last_error), '') FROM outbox GROUP BY status");
                    std::string out;
                    while (q.executeStep()) out += q.getColumn(0).getString() + " ";
                    return out + " pages=" +
                           std::to_string(db.execAndGet("SELECT COUNT(*) FROM pages").getInt());
                })
                .get();
        std::fprintf(stderr, "catch-up: PagerDuty accepted %zu of %d; outbox %s\n",
                     pd.accepted().size(), n, stats.c_str());
        return -1;
    }
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    int timers = 10000, overdue = 1000;
    EpochMs spread = 10'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--timers")) timers = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--spread-ms")) spread = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--overdue")) overdue = std::atoi(argv[i + 1]);
    }
    std::printf("timer_bench: %d live timers due over %lld ms; baseline 100; %d overdue at start\n",
                timers, static_cast<long long>(spread), overdue);
    const Run base = run(100, 1000, spread);
    double idle_cpu = 0;
    const Run load = run(timers, 3000, spread, true, &idle_cpu);
    const Run catchup = run(overdue, -3'600'000, 0);
    const double sent_ms = catch_up_sent_ms(overdue);
    std::printf("baseline (100 timers)        lateness p50=%6.1f ms p99=%6.1f ms max=%6.1f ms\n",
                pct(base.late_ms, .5), pct(base.late_ms, .99), pct(base.late_ms, 1));
    std::printf("%-6d live timers          lateness p50=%6.1f ms p99=%6.1f ms max=%6.1f ms\n",
                timers, pct(load.late_ms, .5), pct(load.late_ms, .99), pct(load.late_ms, 1));
    std::printf("ratio p99 load/baseline = %.2f; target p99 < 1000 ms: %s\n",
                pct(load.late_ms, .99) / std::max(1.0, pct(base.late_ms, .99)),
                pct(load.late_ms, .99) < 1000 ? "met" : "NOT met");
    std::printf("CPU while %d timers wait 2 s with none due: %.1f ms (%.2f%% of one core)\n",
                timers, idle_cpu, idle_cpu / 20.0);
    std::printf("%d overdue timers all fired %.0f ms after start-up\n", overdue, catchup.wall_ms);
    std::printf(
        "%d overdue pages all accepted by a local PagerDuty %.0f ms after start-up; target < 5000 "
        "ms: %s\n",
        overdue, sent_ms, sent_ms >= 0 && sent_ms < 5000 ? "met" : "NOT met");
    return 0;
}
