// Where every inbound adapter hands over what a person or platform asked for (DESIGN "Inputs are
// neutral"): a parsed command with who and where, a message marked for the timeline, a later
// answer to someone. Intake reads through the storage port (off the writer), lets the handlers
// and the service decide, plans the notifications, applies the Effects in one transaction, and
// answers only once that is durable. It never blocks a network thread on the writer.
//
// Idempotent: a delivery repeated under the same dedupe key (a platform's retry of one user
// action) is answered with the first answer and changes nothing. Admission control: a full write
// queue, or a write that cannot begin before the request's deadline, is answered `busy` (the
// adapter says 503 with Retry-After) and writes nothing — never a silent duplicate after a client
// gave up. A decision made on a state that changed meanwhile is made again (a few times at most).
#pragma once

#include <functional>
#include <string>

#include "bot/domain/actor.h"
#include "bot/domain/clock.h"
#include "bot/runtime/dispatch.h"
#include "bot/service/incident_service.h"
#include "bot/service/ports.h"
#include "commands/handlers.h"

namespace muster {

struct IntakeResult {
    enum class Kind { answered, busy } kind = Kind::answered;
    Reply reply;
};

class Intake {
  public:
    Intake(CommandHandlers& handlers, IncidentService& service, IncidentReads& reads,
           Committer& committer, const Dispatch& dispatch, const Clock& clock,
           EpochMs deadline_ms = 2500);  // 0: no deadline

    // `done` runs exactly once: on this thread when nothing is written, else on the writer's
    // completion thread (where a conflict's second decision runs too, never on the writer).
    void command(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
                 std::function<void(IntakeResult)> done);
    // A message someone marked for the timeline, in whatever channel it was: only a message in
    // an incident's channel, not posted by Muster itself, reaches that incident's timeline, once.
    // `done(true)` once recorded or ignored; `done(false)` when it could not be saved (retry).
    void mark_message(const MarkedMessage& m, std::function<void(bool saved)> done);
    // A later word to the person who asked (why a button press changed nothing).
    void answer_later(const std::string& incident_id, const Actor& actor, const std::string& text);

    const CommandHandlers& handlers() const { return handlers_; }

  private:
    void attempt(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
                 std::function<void(IntakeResult)> done, int tries_left);
    std::optional<Reply> earlier_answer(const std::string& key);
    EpochMs deadline(EpochMs now) const { return deadline_ms_ > 0 ? now + deadline_ms_ : 0; }

    CommandHandlers& handlers_;
    IncidentService& service_;
    IncidentReads& reads_;
    Committer& committer_;
    const Dispatch& dispatch_;
    const Clock& clock_;
    EpochMs deadline_ms_;
};

// The storage failure every adapter words the same way.
Reply storage_trouble_reply();

}  // namespace muster
