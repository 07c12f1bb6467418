// UTF-8 text as people and platforms count it: characters, not bytes.
#pragma once

#include <string>

namespace muster {

bool is_valid_utf8(const std::string& s);
std::size_t utf8_length(const std::string& s);
// At most max_chars characters, ending in "…" when something was cut; never splits a character.
std::string truncate_chars(const std::string& s, std::size_t max_chars);

// "db failover done, replicas catching up ETA: 20 minutes" → {"db failover done, replicas
// catching up", "20 minutes"}: a status update's estimate, written as the runbook's "ETA:" line
// (any case). No marker: {text, ""}.
struct TextAndEta {
    std::string text, eta;
};
TextAndEta split_eta(const std::string& text);

}  // namespace muster
