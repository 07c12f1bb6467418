// Waiting for a fake server's state to change, without sleeping: re-check `pred` whenever the
// fake's `generation` moves (it is bumped under `mu` with every change, then `cv` notified), until
// `pred` holds or the time is up. The generation closes the gap between checking `pred` and
// starting to wait, where a bare notify would be lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace muster::test {

// `pred` takes its own locks, so it is called with `mu` released.
inline bool wait_for_change(std::mutex& mu, std::condition_variable& cv,
                            const std::uint64_t& generation, const std::function<bool()>& pred,
                            int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lk(mu);
            seen = generation;
        }
        if (pred()) return true;
        std::unique_lock<std::mutex> lk(mu);
        if (!cv.wait_until(lk, deadline, [&] { return generation != seen; })) {
            lk.unlock();
            return pred();
        }
    }
}

}  // namespace muster::test
