// The /incident grammar (SPEC §3) as a pure function: text in, a Command or a UsageError out.
// The same parser serves Slack and Teams.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/incident.h"
#include "bot/domain/text.h"

namespace muster {

enum class Verb {
    declare,
    update,
    ack,
    resolve,
    decline,
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
    page,
    export_pir  // `export`: the post-incident review document
};
const char* verb_name(Verb v);

struct Command {
    Verb verb = Verb::help;
    std::optional<std::string> incident_id;  // named explicitly (INC-…); else implied by channel
    std::string severity;                    // declare, severity
    std::optional<Level> impact, urgency;    // declare impact=… urgency=…
    Status status = Status::investigating;   // update
    Role role = Role::ic;                    // role
    // role: a user id (U…), "@name", or "me"; page: the user id when the target is a mention
    std::string user;
    std::string text;   // title, note, action, impact, root cause, update; page: a level/contact
    std::string owner;  // action
    std::optional<std::string> due;  // action: YYYY-MM-DD
    int action_number = 0;           // action done|reopen <n>: which item (0: a new item)
    bool action_done = true;         // … done (true) or reopen (false)
    bool drill = false;              // declare --drill: a practice run, left out of reports
    std::optional<Verb> help_topic;
};

struct UsageError {
    std::string message;  // what is wrong, specifically
    std::string usage;    // the usage line(s) that fit
    std::string text() const { return message + "\nUsage: " + usage; }
};

// Text is never refused for its length (people paste whole alert lines at 3 a.m.): beyond these
// caps it is stored cut, ending in "…", and each destination cuts again to its own limit.
struct Grammar {
    std::vector<std::string> severities = {"P0", "P1", "P2", "P3"};
    std::size_t max_title_chars = 2'000;  // characters, not bytes
    std::size_t max_text_chars = 20'000;
};

// A chat user named in a command: "<@U123>", "<@U123|name>", or "@U123" when it has the shape of
// a Slack user id (U or W, then capitals and digits with at least one digit) → "U123"; "@name"
// stays "@name" (a name, not an id); "me" stays "me". nullopt for anything else.
std::optional<std::string> parse_user(const std::string& token);
bool looks_like_user_id(const std::string& s);

std::variant<Command, UsageError> parse_command(const std::string& text, const Grammar& grammar);

std::string usage_line(Verb v, const Grammar& grammar);
std::string help_text(const Grammar& grammar);

}  // namespace muster
