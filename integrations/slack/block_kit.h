// Block Kit rendering of the neutral message model, inside Slack's limits (PROTOCOLS §4):
// ≤ 50 blocks, header ≤ 150 characters, section text ≤ 3000, ≤ 10 fields per section, ≤ 25
// buttons. User text is escaped for mrkdwn; anything too long is cut visibly ("…"), never
// rejected, so a long title cannot stop a declaration from being posted.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bot/domain/text.h"
#include "bot/messages/message.h"

namespace muster::slack {

struct BlockKitMessage {
    std::string text;  // notification / fallback text (mrkdwn-escaped, ≤ 4000)
    nlohmann::json blocks;
};

BlockKitMessage render_blocks(const Message& m);

}  // namespace muster::slack
