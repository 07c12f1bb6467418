#include "bot/server/rejections.h"

#include <spdlog/spdlog.h>

#include <iterator>

namespace muster {

RejectionLog::Window& RejectionLog::window_for(Source& source, const std::string& remote,
                                               EpochMs now) {
    auto it = source.senders.find(remote);
    if (it != source.senders.end()) return it->second;
    if (source.senders.size() >= kMaxSenders) {
        // Room from a sender whose window has ended with nothing left out: it has nothing to
        // report, and its next rejection opens a new window anyway.
        for (auto s = source.senders.begin(); s != source.senders.end();) {
            const Window& w = s->second;
            const bool ended = now < w.started || now - w.started >= window_ms_;
            s = ended && w.left_out == 0 ? source.senders.erase(s) : std::next(s);
        }
        if (source.senders.size() >= kMaxSenders) return source.others;
    }
    return source.senders[remote];
}

bool RejectionLog::note(const std::string& source, const std::string& remote,
                        const std::string& why, EpochMs now) {
    std::uint64_t left_out = 0;
    {
        std::lock_guard<std::mutex> lk(mu_);
        const bool known = sources_.count(source) > 0;
        Source& src =
            sources_[known || sources_.size() < kMaxSources ? source
                                                            : std::string("(other paths)")];
        Window& w = window_for(src, remote, now);
        // (A clock stepped back opens a new window rather than silencing the sender.)
        if (w.used && now >= w.started && now - w.started < window_ms_) {
            ++w.left_out;
            return false;
        }
        left_out = w.left_out;
        w = Window{now, 0, true};
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
    sources_.clear();
}

RejectionLog& rejections() {
    static RejectionLog log;
    return log;
}

}  // namespace muster
