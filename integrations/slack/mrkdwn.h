// Slack mrkdwn escaping (PROTOCOLS §4): user text must not ping @channel or forge links.
#pragma once

#include <string>

namespace muster::slack {

std::string escape_mrkdwn(const std::string& text);

}  // namespace muster::slack
