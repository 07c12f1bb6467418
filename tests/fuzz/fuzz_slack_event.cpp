// libFuzzer target: a verified /slack/events body (JSON).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/domain/text.h"
#include "integrations/slack/inbound.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    const auto read = muster::slack::read_event(body);
    if (const auto* pin = std::get_if<muster::slack::PinnedMessage>(&read))
        if (!muster::is_valid_utf8(pin->text)) std::abort();
    return 0;
}
