// The real core over a real SQLite file, in-process, for unit tests of commands and escalation:
// storage behind its ports, the registries of the configured platforms (no deliverers: what
// would be sent stays in the outbox, where tests look), the incident service, the command
// handlers, the intake and the timer loop, driven by a fake clock. Rewired from `cfg` on every
// use, so a test may change the configuration as it goes.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/messages/incident_messages.h"
#include "bot/messages/templates.h"
#include "bot/runtime/dispatch.h"
#include "bot/runtime/intake.h"
#include "bot/runtime/timer_loop.h"
#include "bot/service/incident_service.h"
#include "commands/handlers.h"
#include "storage/sqlite_storage.h"
#include "tests/support/temp_dir.h"

namespace muster::test {

class CoreWorld {
  public:
    explicit CoreWorld(Config cfg, EpochMs start);
    ~CoreWorld();

    TempDir dir;
    Config cfg;
    Templates templates;
    FakeClock clock;
    std::unique_ptr<Storage> storage;

    // Types the command as `user` in `channel`; the answer once the effects are durable.
    Reply run(const std::string& text, const std::string& user = "U0ALICE",
              const std::string& channel = "C0GENERAL");
    // Moves the fake clock to t and fires whatever fell due, as the timer loop would.
    std::size_t advance_to(EpochMs t);
    // Stops storage and opens it again (what a restart keeps).
    void restart();
    std::string db() const { return dir.file("m.db"); }

    // Raw SQL on a connection of its own (the storage writer is idle between calls).
    int count(const std::string& sql);
    template <typename T>
    T q(const std::function<T(SQLite::Database&)>& fn) {
        SQLite::Database conn(db(), SQLite::OPEN_READWRITE, 5000);
        return fn(conn);
    }

    // The parts, wired from the current cfg.
    Dispatch& dispatch();
    IncidentService& service();
    CommandHandlers& handlers();
    Grammar grammar();

  private:
    void rewire();
    std::ostringstream console_;
    std::unique_ptr<IncidentMessages> messages_;
    std::unique_ptr<Dispatch> dispatch_;
    std::unique_ptr<IncidentService> service_;
    std::unique_ptr<CommandHandlers> handlers_;
    std::unique_ptr<Intake> intake_;
    std::unique_ptr<TimerLoop> timers_;
};

}  // namespace muster::test
