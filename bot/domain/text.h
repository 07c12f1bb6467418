// UTF-8 text as people and platforms count it: characters, not bytes. And the two rules every
// piece of user text follows (README "Decisions"): it is cleaned once, where it enters Muster
// (sanitize_text), and escaped once per output, after being cut to that output's limit
// (cut_and_escape), so a cut never ends inside an escape sequence.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace muster {

bool is_valid_utf8(const std::string& s);
// The character at byte i: its code point and length in bytes; (U+FFFD, 1) for an invalid byte.
std::pair<std::uint32_t, std::size_t> utf8_char_at(const std::string& s, std::size_t i);
std::size_t utf8_length(const std::string& s);
// At most max_chars characters, ending in "…" when something was cut; never splits a character.
std::string truncate_chars(const std::string& s, std::size_t max_chars);

// Text as Muster stores it: valid UTF-8 (an invalid byte becomes U+FFFD), no control characters
// (C0, DEL, C1: terminal escapes, bells, carriage returns), CRLF and CR as LF. multiline = false
// (titles, names) turns line breaks and tabs into single spaces; true keeps LF, tab → space.
std::string sanitize_text(const std::string& s, bool multiline);

// For a terminal or a text log line: control characters shown as \n, \r, \t, \x1b, \u0085 …, so
// text can neither move the cursor nor start a forged line. keep_newlines leaves LF as is (for a
// multi-line message printed line by line).
std::string escape_controls(const std::string& s, bool keep_newlines = false);

// `plain` escaped by `escape` (which must map each character on its own, as mrkdwn, HTML and
// Markdown escaping do), cut first so that the escaped result has at most max_chars characters,
// ending in "…" when cut. The cut is made on the plain text, so it never falls inside an entity.
std::string cut_and_escape(const std::string& plain, std::size_t max_chars,
                           const std::function<std::string(const std::string&)>& escape);

// "db failover done, replicas catching up ETA: 20 minutes" → {"db failover done, replicas
// catching up", "20 minutes"}: a status update's estimate, written as the runbook's "ETA:" line
// (any case). No marker: {text, ""}.
struct TextAndEta {
    std::string text, eta;
};
TextAndEta split_eta(const std::string& text);

}  // namespace muster
