// One handler per /incident verb, shared by every chat platform: it finds the incident the
// command is about (named, or implied by the channel), reads its state through the storage port,
// asks the incident service for a decision, and words the answer. It writes nothing: the Effects
// it returns are applied by the runtime (bot/runtime/command_runner.h), and only then is the
// answer given.
#pragma once

#include <optional>
#include <string>

#include "bot/config/config.h"
#include "bot/domain/actor.h"
#include "bot/domain/effects.h"
#include "bot/service/incident_service.h"
#include "bot/service/ports.h"
#include "commands/parser.h"
#include "commands/reply.h"

namespace muster {

struct Outcome {
    Reply reply;
    std::optional<Effects> effects;  // none: a refusal or a read-only command writes nothing
};

class CommandHandlers {
  public:
    CommandHandlers(const Config& config, IncidentReads& reads, IncidentService& service,
                    const Platforms& platforms);

    Outcome execute(const Command& cmd, const Actor& actor, EpochMs now);
    Grammar grammar() const;

  private:
    Outcome declare(const Command& cmd, const Actor& actor, EpochMs now);
    Outcome list();
    Outcome with_incident(const Command& cmd, const Actor& actor, EpochMs now);

    const Config& config_;
    IncidentReads& reads_;
    IncidentService& service_;
    const Platforms& platforms_;
};

}  // namespace muster
