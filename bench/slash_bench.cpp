// Load benchmark for the slash-command path (SPEC §5: p99 < 5 ms server time at 500 req/s).
//
// Starts build/muster on a free port with a fresh database, then drives it open-loop at a fixed
// rate over keep-alive connections. Latency is measured from each request's *scheduled* send
// time, so a stall is not hidden by the client slowing down. The baseline in the same run is
// GET /healthz (no signature, no parse, no database): the figure that matters is the ratio.
// The console sink is on, so the outbox worker delivers and records every message meanwhile.
//
//   build/bench/muster_bench [--rate 500] [--seconds 10] [--connections 4] [--sync full|normal]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "integrations/slack/form.h"
#include "integrations/slack/signature.h"
#include "tests/support/muster_process.h"
#include "tests/support/temp_dir.h"

using Clock = std::chrono::steady_clock;

namespace {

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Sends one request on a keep-alive connection and reads one whole response; returns the status.
int round_trip(int fd, const std::string& req) {
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
        return 0;
    std::string buf;
    char chunk[8192];
    for (;;) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return 0;
        buf.append(chunk, static_cast<std::size_t>(n));
        const auto end = buf.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        const auto cl = buf.find("Content-Length: ");
        const std::size_t len = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
        if (buf.size() >= end + 4 + len) return std::atoi(buf.c_str() + 9);
    }
}

struct Result {
    std::vector<double> ms;
    int errors = 0;
};

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Open loop: request i of connection c is due at start + (i * conns + c) / rate.
Result run(std::uint16_t port, int rate, int seconds, int conns,
           const std::function<std::string(int)>& make_request) {
    const int total = rate * seconds;
    std::vector<Result> parts(static_cast<std::size_t>(conns));
    std::vector<std::thread> threads;
    const auto start = Clock::now() + std::chrono::milliseconds(100);
    for (int c = 0; c < conns; ++c)
        threads.emplace_back([&, c] {
            const int fd = connect_to(port);
            auto& r = parts[static_cast<std::size_t>(c)];
            for (int k = c; k < total; k += conns) {
                const auto due =
                    start + std::chrono::microseconds(static_cast<long long>(k) * 1'000'000 / rate);
                std::this_thread::sleep_until(due);
                const int status = round_trip(fd, make_request(k));
                if (status != 200) ++r.errors;
                r.ms.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - due).count());
            }
            ::close(fd);
        });
    for (auto& t : threads) t.join();
    Result all;
    for (auto& p : parts) {
        all.ms.insert(all.ms.end(), p.ms.begin(), p.ms.end());
        all.errors += p.errors;
    }
    return all;
}

void report(const char* name, const Result& r) {
    std::printf("%-28s n=%-6zu errors=%-4d p50=%7.3f ms  p99=%7.3f ms  max=%7.3f ms\n", name,
                r.ms.size(), r.errors, pct(r.ms, 0.50), pct(r.ms, 0.99), pct(r.ms, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
    int rate = 500, seconds = 10, conns = 4;
    std::string sync = "full";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--rate")
            rate = std::atoi(argv[i + 1]);
        else if (k == "--seconds")
            seconds = std::atoi(argv[i + 1]);
        else if (k == "--connections")
            conns = std::atoi(argv[i + 1]);
        else if (k == "--sync")
            sync = argv[i + 1];
    }
    muster::test::TempDir dir;
    const std::string secret = "bench-secret";
    dir.write("muster.yaml",
              "storage: {synchronous: " + sync +
                  "}\nlog: {level: warn}\nchat: {console: true}\nserver: {threads: 2}\n");
    muster::test::MusterProcess proc({"serve", "--config", dir.file("muster.yaml"), "--listen",
                                      "127.0.0.1:0", "--db", dir.file("b.db")},
                                     {{"SLACK_SIGNING_SECRET", secret}});
    const auto port = proc.wait_listening();
    if (!port) {
        std::fprintf(stderr, "muster did not start: %s\n", proc.err().c_str());
        return 1;
    }
    std::printf(
        "muster_bench: %d req/s for %d s over %d keep-alive connections, storage.synchronous=%s\n",
        rate, seconds, conns, sync.c_str());

    const std::string health = "GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n";
    auto signed_command = [&](const std::string& text) {
        const std::string body =
            "team_id=T1&channel_id=C1&user_id=U1&user_name=b&command=%2Fincident&text=" +
            muster::url_encode(text);
        const std::string ts =
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
        return "POST /slack/commands HTTP/1.1\r\nHost: b\r\nContent-Type: "
               "application/x-www-form-urlencoded\r\n"
               "X-Slack-Request-Timestamp: " +
               ts + "\r\nX-Slack-Signature: " + muster::slack::sign(secret, ts, body) +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    // A few incidents to write notes into.
    const auto warm = run(port, 50, 1, 1, [&](int k) {
        return signed_command("declare P2 bench incident " + std::to_string(k));
    });
    (void)warm;

    const Result base = run(port, rate, seconds, conns, [&](int) { return health; });
    const Result declare = run(port, rate, seconds, conns, [&](int k) {
        return signed_command("declare P2 load test incident " + std::to_string(k));
    });
    const auto today = std::string("INC-") + [] {
        char b[16];
        const std::time_t t = std::time(nullptr);
        std::strftime(b, sizeof b, "%Y%m%d", std::gmtime(&t));
        return std::string(b);
    }();
    const Result note = run(port, rate, seconds, conns, [&](int k) {
        return signed_command("note " + today + "-" + std::to_string(1 + k % 50) + " load note " +
                              std::to_string(k));
    });
    report("baseline GET /healthz", base);
    report("/incident declare", declare);
    report("/incident note", note);
    std::printf("ratio p99 declare/baseline = %.2f, note/baseline = %.2f\n",
                pct(declare.ms, 0.99) / pct(base.ms, 0.99),
                pct(note.ms, 0.99) / pct(base.ms, 0.99));
    std::printf("SPEC §5 target p99 < 5 ms at 500 req/s: declare %s, note %s\n",
                pct(declare.ms, 0.99) < 5 ? "met" : "NOT met",
                pct(note.ms, 0.99) < 5 ? "met" : "NOT met");
    proc.signal(SIGTERM);
    proc.wait_exit();
    return declare.errors + note.errors + base.errors == 0 ? 0 : 1;
}
