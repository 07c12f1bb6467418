// Holds the storage writer busy until release(): a job whose completion (run on the writer's
// thread) waits on a gate. Tests use it to make a full write queue or a late write on demand.
#pragma once

#include <gtest/gtest.h>

#include <future>

#include "storage/sqlite_storage.h"

namespace muster::test {

class WriterGate {
  public:
    // Returns once the writer is inside the held job.
    void hold(Storage& storage) {
        auto g = gate_.get_future().share();
        ASSERT_TRUE(storage.record({}, [this, g](bool) {
            held_.set_value();
            g.wait();
        }));
        held_.get_future().wait();
    }
    // Lets the writer go on; harmless when it was never held or is released already.
    void release() {
        try {
            gate_.set_value();
        } catch (const std::future_error&) {
        }
    }

  private:
    std::promise<void> held_, gate_;
};

}  // namespace muster::test
