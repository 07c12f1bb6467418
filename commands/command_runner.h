// Runs one parsed command durably for any inbound adapter (slash command, button, Teams): the
// handler executes inside a Writer job; a refusal rolls its savepoint back, so it writes nothing;
// the answer is handed over only after the commit. A storage failure becomes a polite refusal.
// Idempotent intake: a command delivered again under the same dedupe key (a platform's retry of
// one user action) is answered with the first delivery's answer and changes nothing; the key and
// that answer are stored in the same transaction as the command's effects.
#pragma once

#include <functional>

#include "bot/actor.h"
#include "bot/clock.h"
#include "commands/handlers.h"
#include "storage/writer.h"

namespace muster {

class CommandRunner {
  public:
    CommandRunner(Writer& writer, const CommandHandlers& handlers, const Clock& clock)
        : writer_(writer), handlers_(handlers), clock_(clock) {}

    // `done` runs on the writer thread once the outcome is durable; false if storage is stopped.
    // dedupe_key "" = no key (the platform gave none).
    bool run(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
             std::function<void(const Reply&)> done) const;

    const CommandHandlers& handlers() const { return handlers_; }
    Writer& writer() const { return writer_; }

  private:
    Writer& writer_;
    const CommandHandlers& handlers_;
    const Clock& clock_;
};

}  // namespace muster
