// The real server against inputs from a fuzzing run and their siblings: nothing a client sends
// kills it, exhausts its memory or holds a connection past the deadline; malformed input of the
// right syntax but the wrong shape is 400 from every route.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"

using namespace muster;
using namespace muster::test;

namespace {

// The server answered with a refusal or closed the connection, and still serves.
void expect_refused_and_alive(const MusterServer& s, const HttpResult& r, const std::string& what) {
    EXPECT_TRUE(r.status == 0 || (r.status >= 400 && r.status < 500))
        << what << ": answered " << r.status;
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200) << what;
}

std::string chunked(const std::string& path, const std::string& chunks_and_trailer) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Transfer-Encoding: chunked\r\n\r\n" +
           chunks_and_trailer;
}

}  // namespace

// Fuzzing found one unauthenticated request that aborted the process: a trailer field of 64 KiB
// or more after the last chunk (Beast throws std::length_error). Its siblings: every part of a
// message Beast must hold whole.
TEST(HttpHardeningE2E, NoPartOfARequestCanKillTheServer) {
    MusterServer s("\nserver: {max_header_bytes: 61440}\n");
    const std::string big(65535, 't');
    const std::vector<std::pair<std::string, std::string>> attacks = {
        {"the reported trailer",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + big +
             "\r\n\r\n"},
        {"a trailer on a signed route",
         chunked("/slack/commands", "0\r\nX-T: " + big + "\r\n\r\n")},
        {"a trailer after data",
         chunked("/slack/events", "3\r\nabc\r\n0\r\nX-T: " + big + "\r\n\r\n")},
        {"a huge trailer field name", chunked("/slack/commands", "0\r\n" + big + ": v\r\n\r\n")},
        {"a header field of 70,000 bytes",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-H: " + std::string(70'000, 'h') + "\r\n\r\n"},
        {"a request target of 70,000 bytes",
         "GET /" + std::string(70'000, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"a chunk extension of 100,000 bytes",
         chunked("/slack/commands", "1;ext=" + std::string(100'000, 'e') + "\r\na\r\n0\r\n\r\n")},
        {"a chunk size that overflows",
         chunked("/slack/commands", "ffffffffffffffffffffffff\r\nabc\r\n0\r\n\r\n")},
        {"a negative chunk size", chunked("/slack/commands", "-5\r\nabc\r\n0\r\n\r\n")},
        {"chunk garbage", chunked("/slack/commands", "zz\r\n\r\n")},
        {"many small headers",
         [] {
             std::string r = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
             for (int i = 0; i < 20'000; ++i) r += "X" + std::to_string(i) + ": v\r\n";
             return r + "\r\n";
         }()},
    };
    for (const auto& [what, bytes] : attacks)
        expect_refused_and_alive(s, http_raw(s.port, bytes), what);
    // The reported trailer, exactly, on the raw socket as the fuzzer sent it: answered 431.
    EXPECT_EQ(http_raw(s.port, attacks[0].second).status, 431);
    EXPECT_EQ(kill(s.proc->pid(), 0), 0) << "the server died";
    s.proc->signal(SIGTERM);
    EXPECT_EQ(s.proc->wait_exit(), 0);
}

// 3,000,000 small trailer fields (18 MB) were read before the 401, and RSS stayed at 268 MB.
TEST(HttpHardeningE2E, TrailersAreBoundedLikeHeaders) {
    MusterServer s;
    const double before = rss_mib_of(s.proc->pid());
    std::string trailers;
    trailers.reserve(18'000'000);
    for (int i = 0; i < 3'000'000; ++i) trailers += "A: b\r\n";
    const auto r = http_raw(s.port, chunked("/slack/commands", "0\r\n" + trailers + "\r\n"));
    EXPECT_EQ(r.status, 431);
    const double after = rss_mib_of(s.proc->pid());
    EXPECT_LT(after - before, 32.0) << "RSS grew from " << before << " to " << after << " MiB";
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
}

// Every JSON document Muster reads has a nesting limit checked before recursion.
TEST(HttpHardeningE2E, DeepJsonIsA400NotAStackOverflow) {
    MusterServer s("\nserver: {max_body_bytes: 8388608}\n");
    auto nested = [](int depth, const std::string& open, const std::string& close) {
        std::string j;
        j.reserve(static_cast<std::size_t>(depth) * (open.size() + close.size()) + 1);
        for (int i = 0; i < depth; ++i) j += open;
        j += "1";
        for (int i = 0; i < depth; ++i) j += close;
        return j;
    };
    const std::string objects = nested(85'000, "{\"a\":", "}");
    const std::string arrays = nested(400'000, "[", "]");
    for (const std::string* inner : {&objects, &arrays}) {
        const auto ev =
            slack_signed(s, "/slack/events",
                         R"({"type":"event_callback","event_id":"Ev1","event":)" + *inner + "}");
        EXPECT_EQ(ev.status, 400) << ev.body;
        const auto press = slack_signed(
            s, "/slack/interactions",
            "payload=" + url_encode(R"({"type":"block_actions","actions":)" + *inner + "}"),
            "application/x-www-form-urlencoded");
        EXPECT_EQ(press.status, 400) << press.body;
    }
    // Deep but within the limit is fine.
    EXPECT_EQ(slack_signed(s, "/slack/events",
                           R"({"type":"event_callback","event_id":"Ev2","event":{"type":"x","d":)" +
                               nested(40, "[", "]") + "}}")
                  .status,
              200);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
    EXPECT_EQ(s.rows("timeline"), 0);
}

// A configuration file nested without end is a clear error from check-config, not a crash.
TEST(HttpHardeningE2E, DeepYamlIsAConfigError) {
    TempDir dir;
    dir.write("deep.yaml", "server: " + std::string(100'000, '[') + "\n");
    const auto r = run_muster({"check-config", "--config", dir.file("deep.yaml")});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(dir.file("deep.yaml") + ":2: nested too deeply"), std::string::npos)
        << r.err;
}

// One header line every 300 ms used to get a 200 after 24 s with read_timeout 10 s: the deadline
// now runs from the request's first byte, however steadily the client trickles.
TEST(HttpHardeningE2E, SlowHeadersAreCutOffAtTheReadTimeout) {
    MusterServer s("\nserver: {read_timeout: 1s, idle_timeout: 30s}\n");
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(s.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    std::string answer;
    for (int i = 0; i < 40 && !closed; ++i) {
        const std::string line =
            i == 0 ? "GET /healthz HTTP/1.1\r\n" : "X-Slow: " + std::to_string(i) + "\r\n";
        if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) <= 0) break;
        // Wait up to 300 ms for the server to say something or close, then send the next line.
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 300) > 0) {
            char buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                closed = true;
            else
                answer.append(buf, static_cast<std::size_t>(n));
        }
    }
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    EXPECT_TRUE(closed || !answer.empty());
    EXPECT_EQ(answer.find("200 OK"), std::string::npos) << answer;
    EXPECT_LT(took, std::chrono::milliseconds(3000));
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
}

// Right syntax, wrong shape: 400 from every route, never 500, and nothing written.
TEST(HttpHardeningE2E, WrongJsonTypesAre400) {
    MusterServer s;
    const std::vector<std::string> payloads = {
        R"({"type":1})",
        R"({"type":null})",
        R"(["block_actions"])",
        R"({"type":"block_actions","actions":"ack"})",
        R"({"type":"block_actions","actions":[{"action_id":5,"value":"INC-20261122-001"}]})",
        R"({"type":"block_actions","actions":[{"action_id":"muster_acknowledge","value":7}],"user":{"id":"U0A"}})",
        R"({"type":"block_actions","actions":[{"action_id":"muster_acknowledge","value":"INC-20261122-001"}],"user":"U0A"})",
    };
    for (const auto& p : payloads) {
        const auto r = slack_signed(s, "/slack/interactions", "payload=" + url_encode(p),
                                    "application/x-www-form-urlencoded");
        EXPECT_EQ(r.status, 400) << p << " → " << r.status << " " << r.body;
    }
    const std::vector<std::string> events = {
        R"({"type":1})",
        R"([1,2])",
        R"({"type":"url_verification","challenge":5})",
        R"({"type":"event_callback","event_id":7,"event":{}})",
        R"({"type":"event_callback","event_id":"Ev1","event":"pin_added"})",
    };
    for (const auto& e : events) {
        const auto r = slack_signed(s, "/slack/events", e);
        EXPECT_EQ(r.status, 400) << e << " → " << r.status << " " << r.body;
    }
    // Wrongly typed fields inside an event that is otherwise ours: nothing to act on, no 500.
    const auto odd = slack_signed(
        s, "/slack/events",
        R"({"type":"event_callback","event_id":"Ev3","event":{"type":"pin_added","channel_id":5,"item":{"message":{"ts":1}}}})");
    EXPECT_EQ(odd.status, 200) << odd.body;
    EXPECT_EQ(s.rows("timeline"), 0);
    EXPECT_EQ(s.rows("inbound_dedupe"), 0);
    EXPECT_EQ(http_request(s.port, "GET", "/healthz").status, 200);
}
