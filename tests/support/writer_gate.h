// Holds the storage writer busy until release(): the next commit that changes rows (hold() makes
// one) runs a commit observer — on the writer's own thread — that waits on a gate. Tests use it
// to make a full write queue or a late write on demand. (Completions run on another thread, so
// the gate is an observer, not a completion.)
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "storage/sqlite_storage.h"

namespace muster::test {

class WriterGate {
  public:
    WriterGate() : gate_(state_->open.get_future().share()) {}
    ~WriterGate() { release(); }

    // Returns once the writer is held (fails the test after 10 s). Once per gate; the storage
    // must have no other write queued or running.
    void hold(Storage& storage) {
        ASSERT_FALSE(used_) << "a WriterGate holds once";
        used_ = true;
        auto state = state_;
        auto gate = gate_;
        storage.on_commit([state, gate] {
            if (!state->armed.exchange(false)) return;
            state->held.set_value();
            gate.wait();
        });
        state_->armed = true;
        Effects fx;
        fx.at = 1;
        static std::atomic<int> holds{0};
        fx.dedupe.push_back({"writer-gate", "hold-" + std::to_string(++holds), std::nullopt, 1});
        ASSERT_TRUE(storage.apply(std::move(fx), [](Applied) {}));
        ASSERT_EQ(state_->held.get_future().wait_for(std::chrono::seconds(10)),
                  std::future_status::ready)
            << "the writer was not held: its commit failed or changed nothing";
    }
    // Lets the writer go on; harmless when it was never held or is released already.
    void release() {
        try {
            state_->open.set_value();
        } catch (const std::future_error&) {
        }
    }

  private:
    struct State {
        std::atomic<bool> armed{false};
        std::promise<void> held, open;
    };
    std::shared_ptr<State> state_ = std::make_shared<State>();
    std::shared_future<void> gate_;
    bool used_ = false;
};

}  // namespace muster::test
