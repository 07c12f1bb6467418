// libFuzzer target: a verified /slack/interactions body (a form with a JSON payload).
#include <cstdint>
#include <string>

#include "integrations/slack/inbound.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    (void)muster::slack::read_interaction(body);
    // The same bytes as the payload itself, so the fuzzer need not learn the form encoding.
    (void)muster::slack::read_interaction("payload=" + body);
    return 0;
}
