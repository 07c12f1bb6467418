// The /incident grammar (SPEC §3) as a pure function: text in, a Command or a UsageError out.
// The same parser serves Slack and Teams.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/config.h"
#include "bot/incident.h"
#include "bot/text.h"

namespace muster {

enum class Verb {
    declare,
    update,
    ack,
    resolve,
    reopen,
    severity,
    role,
    note,
    action,
    impact,
    rootcause,
    status,
    list,
    help,
    page
};
const char* verb_name(Verb v);

struct Command {
    Verb verb = Verb::help;
    std::optional<std::string> incident_id;  // named explicitly (INC-…); else implied by channel
    std::string severity;                    // declare, severity
    std::optional<Level> impact, urgency;    // declare impact=… urgency=…
    Status status = Status::investigating;   // update
    Role role = Role::ic;                    // role
    std::string user;                        // role: a user id (U…), "@name", or "me"
    std::string text;   // title, note, action, impact, root cause, update; page: the target
    std::string owner;  // action
    std::optional<std::string> due;  // action: YYYY-MM-DD
    std::optional<Verb> help_topic;
};

struct UsageError {
    std::string message;  // what is wrong, specifically
    std::string usage;    // the usage line(s) that fit
    std::string text() const { return message + "\nUsage: " + usage; }
};

struct Grammar {
    std::vector<std::string> severities = {"P0", "P1", "P2", "P3"};
    std::size_t max_title_chars = 250;
    std::size_t max_text_chars = 3000;
};

std::variant<Command, UsageError> parse_command(const std::string& text, const Grammar& grammar);

std::string usage_line(Verb v, const Grammar& grammar);
std::string help_text(const Grammar& grammar);

}  // namespace muster
