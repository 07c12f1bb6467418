// Incident channel names from slack.channel_name_pattern (SPEC §6 tokens) and a slug of the
// title: lowercase ASCII letters, digits and single hyphens, within Slack's 80 characters. The
// slug is what gets shortened: the unique part (date, time, id, sequence) never is.
#pragma once

#include <string>
#include <vector>

#include "bot/domain/clock.h"

namespace muster {

struct ChannelNameInput {
    std::string pattern;
    std::string title;
    std::string incident_id;  // INC-YYYYMMDD-###
    std::string severity;
    EpochMs declared_at = 0;
};

// The {tokens} a pattern may use, and the ones in `pattern` that are not among them.
const std::vector<std::string>& channel_name_tokens();
std::vector<std::string> unknown_pattern_tokens(const std::string& pattern);

std::string slugify(const std::string& title, std::size_t max_len);
std::string channel_name(const ChannelNameInput& in, std::size_t max_len = 80);
// The k-th name for the same input when the first is taken (k ≥ 2): "…-k", the slug shortened to
// make room so the whole stays within max_len.
std::string channel_name(const ChannelNameInput& in, int k, std::size_t max_len = 80);
// Whether `name` (the k-th name of `base`) could also be a name made from another base: only a
// numbered one (k ≥ 2, shortened to make room), or one that ends in "-<digits>" itself (the
// title "x 2" gives "x-2", the second name of "x"). Any other name is taken only if its own
// base's count says so, so the caller need not ask the database.
bool name_may_collide(const std::string& name, int k);

}  // namespace muster
