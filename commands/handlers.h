// One handler per /incident verb, shared by every chat platform: it finds the incident the
// command is about (named, or implied by the channel), reads its state through the storage port,
// asks the incident service for a decision, and words the answer. It writes nothing: the Effects
// it returns are applied by the runtime (bot/runtime/command_runner.h), and only then is the
// answer given.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "bot/config/config.h"
#include "bot/domain/actor.h"
#include "bot/domain/effects.h"
#include "bot/messages/templates.h"
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

    // `/incident export`: the PIR from these templates; `link` makes a signed link to it (empty
    // when server.public_url or server.api_token is not set: then the answer is the document).
    using DocumentLink = std::function<std::string(const std::string& incident_id,
                                                   const std::string& format, EpochMs now)>;
    void set_documents(const Templates* templates, DocumentLink link) {
        templates_ = templates;
        link_ = std::move(link);
    }
    Grammar grammar() const;

  private:
    Outcome declare(const Command& cmd, const Actor& actor, EpochMs now);
    Outcome list();
    Outcome with_incident(const Command& cmd, const Actor& actor, EpochMs now);

    const Config& config_;
    IncidentReads& reads_;
    IncidentService& service_;
    const Platforms& platforms_;
    const Templates* templates_ = nullptr;
    DocumentLink link_;
    Outcome export_pir(const Command& cmd, const IncidentState& state, EpochMs now);
};

}  // namespace muster
