#include "bot/server/rejections.h"

#include <spdlog/spdlog.h>

namespace muster {

bool RejectionLog::note(const std::string& source, const std::string& remote,
                        const std::string& why, EpochMs now) {
    std::uint64_t left_out = 0;
    {
        std::lock_guard<std::mutex> lk(mu_);
        const bool known = windows_.count(source) > 0;
        auto [it, fresh] = windows_.try_emplace(
            known || windows_.size() < kMaxSources ? source : std::string("(other paths)"));
        Window& w = it->second;
        // (A clock stepped back opens a new window rather than silencing the path.)
        if (!fresh && now >= w.started && now - w.started < window_ms_) {
            ++w.left_out;
            return false;
        }
        left_out = w.left_out;
        w = Window{now, 0};
    }
    if (left_out == 0)
        spdlog::warn("rejected {} from {}: {}", source, remote, why);
    else
        spdlog::warn("rejected {} from {}: {} ({} more since the last such line, not logged)",
                     source, remote, why, left_out);
    return true;
}

bool RejectionLog::note(const std::string& source, const std::string& remote,
                        const std::string& why) {
    return note(source, remote, why, SystemClock().now_ms());
}

void RejectionLog::reset() {
    std::lock_guard<std::mutex> lk(mu_);
    windows_.clear();
}

RejectionLog& rejections() {
    static RejectionLog log;
    return log;
}

}  // namespace muster
