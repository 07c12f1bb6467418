#include "integrations/slack/block_kit.h"

#include <cstdint>
#include <vector>

#include "bot/domain/text.h"
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
constexpr std::size_t kButtonValueChars = 2000;
constexpr std::size_t kActionIdChars = 255;

nlohmann::json mrkdwn(const std::string& text) {
    return {{"type", "mrkdwn"}, {"text", text}};
}

// "*Label*\nvalue" within `limit` characters: a mention is never cut, user text is cut before
// it is escaped.
std::string field_text(const MessageField& f, std::size_t limit) {
    const std::string head = "*" + escape_mrkdwn(truncate_chars(f.label, 100)) + "*\n";
    if (!f.user.empty()) return head + "<@" + escape_mrkdwn(f.user) + ">";
    if (!f.channel.empty() && f.channel[0] != '@')
        return head + "<#" + escape_mrkdwn(f.channel) + ">";
    return head + cut_and_escape(f.value, limit - utf8_length(head), escape_mrkdwn);
}

// A section's body is a list, one item per line, each shown as a bullet. When the whole does not
// fit, every item is cut to its share instead of cutting the section, so no item vanishes.
std::string section_text(const std::string& heading, const std::string& body) {
    const std::string head = "*" + escape_mrkdwn(truncate_chars(heading, 100)) + "*\n";
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= body.size()) {
        const auto nl = body.find('\n', start);
        items.push_back(
            body.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    const std::size_t room = kSectionChars - utf8_length(head);
    std::size_t whole = 0;
    for (const auto& i : items) whole += utf8_length(escape_mrkdwn(i)) + 3;  // "• " and "\n"
    // Each item's share; items past what even a short share allows are dropped, and said to be.
    const bool fits = whole <= room;
    std::size_t shown = items.size();
    while (!fits && shown > 1 && room / shown < 16) --shown;
    const std::size_t share = fits ? SIZE_MAX : room / (shown + (shown < items.size() ? 1 : 0));
    std::string text = head;
    for (std::size_t i = 0; i < shown; ++i)
        text += "• " +
                (share == SIZE_MAX ? escape_mrkdwn(items[i])
                                   : cut_and_escape(items[i], share - 3, escape_mrkdwn)) +
                "\n";
    if (shown < items.size()) text += "• … and " + std::to_string(items.size() - shown) + " more\n";
    return text;
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
        fields.push_back(mrkdwn(field_text(f, kFieldChars)));
        if (fields.size() == kFieldsPerSection) flush_fields();
    }
    flush_fields();
    for (const auto& [heading, body] : m.sections)
        blocks.push_back({{"type", "section"}, {"text", mrkdwn(section_text(heading, body))}});
    if (!m.text.empty())
        blocks.push_back({{"type", "section"},
                          {"text", mrkdwn(cut_and_escape(m.text, kSectionChars, escape_mrkdwn))}});
    nlohmann::json buttons = nlohmann::json::array();
    for (const auto& a : m.actions) {
        if (buttons.size() == kButtons) break;
        nlohmann::json b = {
            {"type", "button"},
            {"action_id", truncate_chars("muster_" + a.id, kActionIdChars)},
            {"text", {{"type", "plain_text"}, {"text", truncate_chars(a.label, kButtonTextChars)}}},
            {"value", truncate_chars(a.value, kButtonValueChars)}};
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
    return {cut_and_escape(fallback, kTextChars, escape_mrkdwn), blocks};
}

}  // namespace muster::slack
