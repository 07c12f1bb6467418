// One handler per /incident verb. Each runs inside a storage transaction (the Writer's): it reads
// the incident, asks the domain whether the change is allowed, and writes the incident, its
// timeline and the outbox messages together. A refused command writes nothing.
#pragma once

#include <SQLiteCpp/Database.h>

#include <nlohmann/json.hpp>
#include <string>

#include "bot/actor.h"
#include "bot/config.h"
#include "bot/escalation.h"
#include "bot/incident.h"
#include "bot/incident_messages.h"
#include "bot/templates.h"
#include "commands/parser.h"
#include "commands/reply.h"

namespace muster {

class CommandHandlers {
  public:
    CommandHandlers(const Config& config, const Templates& templates);

    Reply execute(SQLite::Database& db, const Command& cmd, const Actor& actor, EpochMs now) const;
    Grammar grammar() const;

    const IncidentMessages& messages() const { return messages_; }
    const Escalation& escalation() const { return escalation_; }

  private:
    struct Target;
    Reply declare(SQLite::Database& db, const Command& cmd, const Actor& actor, EpochMs now) const;
    Reply with_incident(SQLite::Database& db, const Command& cmd, const Actor& actor,
                        EpochMs now) const;
    Reply list(SQLite::Database& db) const;
    const Config& config_;
    IncidentMessages messages_;
    Escalation escalation_;
};

}  // namespace muster
