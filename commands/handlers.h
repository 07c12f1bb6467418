// One handler per /incident verb. Each runs inside a storage transaction (the Writer's): it reads
// the incident, asks the domain whether the change is allowed, and writes the incident, its
// timeline and the outbox messages together. A refused command writes nothing.
#pragma once

#include <SQLiteCpp/Database.h>

#include <nlohmann/json.hpp>
#include <string>

#include "bot/config.h"
#include "bot/incident.h"
#include "bot/templates.h"
#include "commands/parser.h"
#include "commands/reply.h"

namespace muster {

struct Actor {
    std::string user_id;     // platform user id, e.g. U0123
    std::string user_name;   // for logs and console output
    std::string platform;    // slack | teams | cli
    std::string channel_id;  // where the command was typed
};

class CommandHandlers {
  public:
    CommandHandlers(const Config& config, const Templates& templates);

    Reply execute(SQLite::Database& db, const Command& cmd, const Actor& actor, EpochMs now) const;
    Grammar grammar() const;

    // The data every message template sees for an incident.
    nlohmann::json template_data(const Incident& inc, EpochMs now) const;

  private:
    struct Target;
    Reply declare(SQLite::Database& db, const Command& cmd, const Actor& actor, EpochMs now) const;
    Reply with_incident(SQLite::Database& db, const Command& cmd, const Actor& actor,
                        EpochMs now) const;
    Reply list(SQLite::Database& db) const;
    void post(SQLite::Database& db, const Incident& inc, const std::string& channel,
              const std::string& kind, const std::string& tpl, const nlohmann::json& data,
              EpochMs now) const;
    void post_update(SQLite::Database& db, const Incident& inc, const std::string& change,
                     const std::string& text, EpochMs now) const;

    const Config& config_;
    const Templates& templates_;
};

}  // namespace muster
