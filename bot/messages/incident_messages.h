// The messages Muster posts about an incident, for every chat platform: which template each
// notification uses and with what data (messages_for), and rendering a queued operation's
// message when it is delivered — off the writer, from the incident as it was at the change
// (the payload carries that snapshot and the time), so a late delivery still says what happened
// then.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/incident.h"
#include "bot/domain/notification.h"
#include "bot/messages/message.h"
#include "bot/messages/templates.h"

namespace muster {

// One message a notification makes: its purpose (declaration, announcement, status_update …),
// template and the template data beyond the incident's own.
struct MessageSpec {
    std::string purpose, template_name;
    nlohmann::json extra = nlohmann::json::object();
};
std::vector<MessageSpec> messages_for(const Notification& n, const Config& config);

// {"template", "incident", "at", "extra"} as JSON text: what a platform queues to render later
// (the incident as a compact snapshot, see incident_snapshot).
std::string message_payload(const MessageSpec& spec, const Incident& inc, EpochMs at);
// The JSON text of `head` (an object) with "message": `message` (JSON text) added: a queued
// operation that carries a message, without parsing the message back into a JSON value.
std::string with_message(const nlohmann::json& head, const std::string& message);

// How many queued announcements of one shared channel (the announce channel, an alert channel)
// one digest covers at most, when they have piled up behind each other. Slack posts ~1 message
// per second per channel (PROTOCOLS §4): during a storm a digest per second keeps the channel
// current instead of a queue that grows without bound.
constexpr int kDigestMax = 20;

// One message for several queued announcements (payloads as message_payload made them, oldest
// first): a title with the count and one line per incident, from its snapshot.
Message digest_message(const std::vector<nlohmann::json>& payloads);

class IncidentMessages {
  public:
    IncidentMessages(const Config& config, const Templates& templates);

    // The data every message template sees for an incident at a time.
    nlohmann::json template_data(const Incident& inc, EpochMs at) const;
    // Throws std::runtime_error when the template cannot produce a message.
    Message render(const std::string& template_name, const Incident& inc, EpochMs at,
                   const nlohmann::json& extra) const;
    // A payload made by message_payload (inside a queued operation).
    Message render(const nlohmann::json& payload) const;

  private:
    const Config& config_;
    const Templates& templates_;
};

}  // namespace muster
