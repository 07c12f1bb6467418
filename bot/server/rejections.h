// Rejected requests in the log, without a line per request. Every endpoint that answers 401 (a
// Slack signature that does not verify, a PagerDuty signature, a wrong bearer token for
// Alertmanager, Grafana, a heartbeat or the API) reports it here. The first rejection for a
// source (a route path) from a sender (its address) in each window is logged at warn with who
// sent it and why, so a wrong secret is found at once; the rest of the window is counted, and the
// next rejection after the window says how many were left out. A misconfigured sender retrying
// every second, or someone probing the endpoint, costs one line a minute instead of one a
// request, and a scanner hammering a path does not hide a misconfigured sender on the same path:
// each sender has its own window. Bounded: at most 8 senders a path have their own window at a
// time (a window that has ended and left nothing out makes room), the others share one.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "bot/domain/clock.h"

namespace muster {

class RejectionLog {
  public:
    explicit RejectionLog(EpochMs window_ms = 60'000) : window_ms_(window_ms) {}

    // source: what was rejected, e.g. "slack /slack/commands"; remote: the peer's address; why:
    // the reason also given in the 401 body. now: ms since epoch. Thread-safe. Returns whether
    // this call wrote a log line.
    bool note(const std::string& source, const std::string& remote, const std::string& why,
              EpochMs now);
    // Same, at the system clock's time.
    bool note(const std::string& source, const std::string& remote, const std::string& why);

    // Forgets every window (a test that captures the log starts clean).
    void reset();

  private:
    struct Window {
        EpochMs started = 0;
        std::uint64_t left_out = 0;
        bool used = false;
    };
    struct Source {
        std::map<std::string, Window> senders;
        Window others;  // senders beyond kMaxSenders
    };
    // Sources are route paths, a fixed set; beyond this many, the rest share one entry.
    static constexpr std::size_t kMaxSources = 64;
    static constexpr std::size_t kMaxSenders = 8;
    Window& window_for(Source& source, const std::string& remote, EpochMs now);
    const EpochMs window_ms_;
    std::mutex mu_;
    std::map<std::string, Source> sources_;
};

// The process's one RejectionLog, shared by every route.
RejectionLog& rejections();

}  // namespace muster
