#include "bot/runtime/retention.h"
#include <pthread.h>

#include <spdlog/spdlog.h>

#include <chrono>

namespace muster {

Retention::~Retention() {
    stop();
}

int Retention::run_once() {
    int total = 0;
    for (;;) {
        const int n = port_.prune(policy_, clock_.now_ms(), batch_);
        total += n;
        if (n < batch_) return total;
        std::unique_lock<std::mutex> lk(mu_);
        if (stopping_) return total;
    }
}

void Retention::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "retention");
        for (;;) {
            try {
                if (const int n = run_once(); n > 0) spdlog::info("retention: pruned {} rows", n);
            } catch (const std::exception& e) {
                spdlog::error("retention: {}", e.what());
            }
            std::unique_lock<std::mutex> lk(mu_);
            if (cv_.wait_for(lk, std::chrono::milliseconds(every_ms_),
                             [this] { return stopping_; }))
                return;
        }
    });
}

void Retention::stop() {
    {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace muster
