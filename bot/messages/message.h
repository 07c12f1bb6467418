// The neutral message model every renderer starts from (console today, Slack Block Kit and Teams
// Adaptive Cards next): a title, labelled fields, free text and buttons. Text here is plain:
// each renderer escapes it for its own markup. A field that names a person carries the user id
// separately so each platform can render a real mention.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace muster {

struct MessageField {
    std::string label;
    std::string value;  // shown when there is no user, or as the user's fallback
    std::string user;   // chat user id, when the field names a person
    // chat channel id when the field names a channel; "@incident" = the incident's own channel,
    // filled in by the platform adapter once that channel exists
    std::string channel;
};

struct MessageAction {
    std::string id;     // acknowledge | resolve | take_ic | ...
    std::string label;  // "Acknowledge"
    std::string value;  // usually the incident id
    std::string style;  // "" | primary | danger
};

struct Message {
    std::string title;
    std::vector<MessageField> fields;
    std::vector<std::pair<std::string, std::string>> sections;  // (heading, body)
    std::string text;
    std::vector<MessageAction> actions;
    std::string fallback;  // one-line plain summary for notifications
};

nlohmann::json to_json(const Message& m);
// Throws std::runtime_error with a precise reason when the JSON is not a message.
Message message_from_json(const nlohmann::json& j);
// Plain text for people reading a terminal or a log.
std::string render_plain(const Message& m);
// JSON text safe for any input: invalid UTF-8 is replaced, never thrown on.
std::string dump_json(const nlohmann::json& j, int indent = -1);

}  // namespace muster
