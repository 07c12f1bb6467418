#include "integrations/slack/block_kit.h"

#include "bot/text.h"
#include "integrations/slack/mrkdwn.h"

namespace muster::slack {

namespace {
constexpr std::size_t kMaxBlocks = 50;
constexpr std::size_t kHeaderChars = 150;
constexpr std::size_t kSectionChars = 3000;
constexpr std::size_t kFieldChars = 2000;
constexpr std::size_t kFieldsPerSection = 10;
constexpr std::size_t kButtons = 25;
constexpr std::size_t kButtonTextChars = 75;
constexpr std::size_t kTextChars = 4000;

nlohmann::json mrkdwn(const std::string& text) {
    return {{"type", "mrkdwn"}, {"text", text}};
}

std::string field_value(const MessageField& f) {
    if (!f.user.empty()) return "<@" + escape_mrkdwn(f.user) + ">";
    if (!f.channel.empty() && f.channel[0] != '@') return "<#" + escape_mrkdwn(f.channel) + ">";
    return escape_mrkdwn(f.value);
}
}  // namespace

BlockKitMessage render_blocks(const Message& m) {
    nlohmann::json blocks = nlohmann::json::array();
    if (!m.title.empty())
        blocks.push_back({{"type", "header"},
                          {"text",
                           {{"type", "plain_text"},
                            {"text", truncate_chars(m.title, kHeaderChars)},
                            {"emoji", true}}}});
    nlohmann::json fields = nlohmann::json::array();
    auto flush_fields = [&] {
        if (fields.empty()) return;
        blocks.push_back({{"type", "section"}, {"fields", fields}});
        fields = nlohmann::json::array();
    };
    for (const auto& f : m.fields) {
        // Escaping can lengthen text (& → &amp;): cut what Slack will count, after escaping.
        fields.push_back(mrkdwn(
            truncate_chars("*" + escape_mrkdwn(f.label) + "*\n" + field_value(f), kFieldChars)));
        if (fields.size() == kFieldsPerSection) flush_fields();
    }
    flush_fields();
    for (const auto& [heading, body] : m.sections) {
        std::string text = "*" + escape_mrkdwn(heading) + "*\n";
        std::size_t start = 0;
        while (start <= body.size()) {
            const auto nl = body.find('\n', start);
            text += "• " +
                    escape_mrkdwn(body.substr(
                        start, nl == std::string::npos ? std::string::npos : nl - start)) +
                    "\n";
            if (nl == std::string::npos) break;
            start = nl + 1;
        }
        blocks.push_back(
            {{"type", "section"}, {"text", mrkdwn(truncate_chars(text, kSectionChars))}});
    }
    if (!m.text.empty())
        blocks.push_back({{"type", "section"},
                          {"text", mrkdwn(truncate_chars(escape_mrkdwn(m.text), kSectionChars))}});
    nlohmann::json buttons = nlohmann::json::array();
    for (const auto& a : m.actions) {
        if (buttons.size() == kButtons) break;
        nlohmann::json b = {
            {"type", "button"},
            {"action_id", "muster_" + a.id},
            {"text", {{"type", "plain_text"}, {"text", truncate_chars(a.label, kButtonTextChars)}}},
            {"value", a.value}};
        if (a.style == "primary" || a.style == "danger") b["style"] = a.style;
        buttons.push_back(b);
    }
    // Keep room for the buttons: they are how responders act on the message.
    const std::size_t room = kMaxBlocks - (buttons.empty() ? 0 : 1);
    if (blocks.size() > room) {
        blocks.erase(blocks.begin() + static_cast<long>(room - 1), blocks.end());
        blocks.push_back({{"type", "context"}, {"elements", {mrkdwn("… (message shortened)")}}});
    }
    if (!buttons.empty()) blocks.push_back({{"type", "actions"}, {"elements", buttons}});
    std::string fallback = m.fallback.empty() ? m.title : m.fallback;
    return {truncate_chars(escape_mrkdwn(fallback), kTextChars), blocks};
}

}  // namespace muster::slack
