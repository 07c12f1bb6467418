// libFuzzer target: a verified /slack/commands body through intake (form, decoding, cleaning) and
// the command grammar. Whatever comes in, what comes out is clean text or a usage error.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/domain/text.h"
#include "commands/parser.h"
#include "integrations/slack/inbound.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    const auto read = muster::slack::read_slash_command(body);
    if (const auto* c = std::get_if<muster::slack::SlashCommand>(&read)) {
        if (!muster::is_valid_utf8(c->text)) std::abort();
        const auto parsed = muster::parse_command(c->text, muster::Grammar{});
        if (const auto* cmd = std::get_if<muster::Command>(&parsed))
            if (!muster::is_valid_utf8(cmd->text) || cmd->text.find('\x1b') != std::string::npos)
                std::abort();
    }
    // The parser also takes raw text from any other adapter.
    (void)muster::parse_command(body, muster::Grammar{});
    (void)muster::slack::decode_text(body);
    return 0;
}
