// What a command answers to the person who typed it. Text is plain; the platform adapter
// escapes it for its own markup.
#pragma once

#include <string>

namespace muster {

struct Reply {
    bool in_channel = false;  // visible to the channel (true) or only to the caller (false)
    std::string text;
    bool error = false;  // a usage error or a refused change: nothing was written
};

inline Reply ephemeral(std::string text) {
    return Reply{false, std::move(text), false};
}
inline Reply refusal(std::string text) {
    return Reply{false, std::move(text), true};
}
inline Reply announce(std::string text) {
    return Reply{true, std::move(text), false};
}

}  // namespace muster
