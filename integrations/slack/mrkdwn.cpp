#include "integrations/slack/mrkdwn.h"

#include "bot/messages/escaping.h"

namespace muster::slack {

std::string escape_mrkdwn(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const char* entity = markup_entity(c);  // exactly & < > (PROTOCOLS.md, Slack)
        if (entity)
            out += entity;
        else
            out += c;
    }
    return out;
}

}  // namespace muster::slack
