// What Slack's inbound requests mean, as neutral values: pure functions from a verified request
// body to what the user asked for, with no storage and no I/O, so each is unit-tested and fuzzed
// (tests/fuzz) on its own. Text is decoded here, once (PROTOCOLS §1: Slack sends user-typed
// &, <, > as &amp;, &lt;, &gt;, and its own markup as <@U…|name>, <#C…|name>, <!here>,
// <url|label>), and cleaned of control characters; from here on it is plain text.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "bot/domain/actor.h"
#include "commands/parser.h"

namespace muster::slack {

// Slack's mrkdwn-escaped text → plain text. Mentions become "@U123" (the parser takes an @ followed
// by a Slack user id as that user), channels "#name", specials "@here"/"@channel"/"@everyone",
// user groups "@handle", links "label (url)" or "url", dates their fallback text. Entities are
// decoded after the markup is read, so a typed "&lt;@U1&gt;" stays the text "<@U1>".
std::string decode_text(const std::string& mrkdwn);

// A request the route answers without running anything.
struct BadRequest {
    std::string reason;  // answered 400
};
struct Ignored {};  // answered 200 with nothing to do (an event or action that is not ours)

// POST /slack/commands (PROTOCOLS §1).
struct SslCheck {};
struct SlashCommand {
    Actor actor;
    std::string text;        // plain text after "/incident"
    std::string dedupe_key;  // "slack:<team>:<trigger_id>"; "" when Slack sent no trigger_id
};
std::variant<SlashCommand, SslCheck, BadRequest> read_slash_command(const std::string& body);

// POST /slack/interactions (PROTOCOLS §3): the buttons of Muster's messages.
struct ButtonPress {
    Command command;
    Actor actor;
    std::string dedupe_key;  // "slack:<team>:<trigger_id>" or by action_ts
};
std::variant<ButtonPress, Ignored, BadRequest> read_interaction(const std::string& body);

// POST /slack/events (PROTOCOLS §2).
struct UrlVerification {
    std::string challenge;
};
// A message someone pinned (pin_added carries its text) or marked with 📌 (reaction_added does
// not: the text is fetched later with conversations.history).
struct PinnedMessage {
    std::string event_id;
    std::string channel, ts;
    std::string pinned_by;  // who pinned or reacted
    std::string author;     // who wrote the message, when known
    std::string text;       // decoded; empty for a reaction
    bool via_reaction = false;
};
std::variant<UrlVerification, PinnedMessage, Ignored, BadRequest> read_event(
    const std::string& body);

// "1700000000.000100" → 1700000000000 ms; 0 when it is not a Slack ts.
EpochMs ts_to_ms(const std::string& ts);

}  // namespace muster::slack
