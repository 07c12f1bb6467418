// Who did something, from where: the person behind a command, a button or an event.
#pragma once

#include <string>

namespace muster {

struct Actor {
    std::string user_id;       // platform user id, e.g. U0123
    std::string user_name;     // for logs and console output
    std::string platform;      // slack | teams | cli | system
    std::string channel_id;    // where the command was typed
    std::string response_url;  // Slack: where later news for this person can be sent
};

}  // namespace muster
