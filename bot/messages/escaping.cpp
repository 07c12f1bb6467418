#include "bot/messages/escaping.h"

#include <algorithm>
#include <charconv>

#include "bot/domain/text.h"

namespace muster {

namespace {
const char* kFsi = "\xE2\x81\xA8";  // U+2068 FIRST STRONG ISOLATE
const char* kPdi = "\xE2\x81\xA9";  // U+2069 POP DIRECTIONAL ISOLATE

// U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates): user text must not
// open or close a direction of its own, or it reorders what follows it (a table's pipes).
bool is_bidi_control(std::uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string without_bidi_controls(const std::string& s) {
    if (s.find("\xE2\x80") == std::string::npos && s.find("\xE2\x81") == std::string::npos)
        return s;
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto [cp, len] = utf8_char_at(s, i);
        if (!is_bidi_control(cp)) out.append(s, i, len);
        i += len;
    }
    return out;
}

// Escaped text without direction controls, and wrapped in one isolate when it has
// right-to-left letters.
std::string isolate(const std::string& plain, const std::string& escaped) {
    std::string clean = without_bidi_controls(escaped);
    return has_rtl(plain) ? kFsi + clean + kPdi : clean;
}
}  // namespace

bool has_rtl(const std::string& s) {
    // Every right-to-left letter is encoded with a lead byte of 0xD6 or more (U+0590 and up).
    if (std::none_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0xD6; }))
        return false;
    for (std::size_t i = 0; i < s.size();) {
        const auto [cp, len] = utf8_char_at(s, i);
        if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
            (cp >= 0xFE70 && cp <= 0xFEFF) || (cp >= 0x10800 && cp <= 0x10FFF) ||
            (cp >= 0x1E800 && cp <= 0x1EFFF))
            return true;
        i += len;
    }
    return false;
}

const char* markup_entity(char c) {
    switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        default:
            return nullptr;
    }
}

namespace {
// & < > " ' as entities, a line break as `newline`.
std::string escape_xml(const std::string& plain, const char* newline) {
    std::string out;
    out.reserve(plain.size() + 16);
    for (char c : plain) {
        if (const char* entity = markup_entity(c)) {
            out += entity;
            continue;
        }
        switch (c) {
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\n':
                out += newline;
                break;
            default:
                out += c;
        }
    }
    return out;
}
}  // namespace

std::string escape_html(const std::string& plain) {
    return isolate(plain, escape_xml(plain, "<br/>"));
}

std::string escape_svg_text(const std::string& plain) {
    return isolate(plain, escape_xml(plain, " "));
}

std::string escape_plain(const std::string& plain) {
    std::string out = without_bidi_controls(plain);
    for (auto& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

std::string svg_number(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
    return std::string(buf, r.ptr);
}

std::string escape_markdown(const std::string& plain) {
    std::string out;
    out.reserve(plain.size() + 16);
    bool digits_so_far = true;  // "1." or "1)" at the start would begin a numbered list
    for (std::size_t i = 0; i < plain.size(); ++i) {
        const char c = plain[i];
        if (const char* entity = markup_entity(c)) {
            out += entity;  // no raw HTML, no <autolink>
            digits_so_far = false;
            continue;
        }
        switch (c) {
            case '\n':
                out += "<br/>";
                break;
            case '\r':
                break;
            // Emphasis, code, links and images (a link needs "[…]"), tables, strikethrough.
            case '\\':
            case '`':
            case '*':
            case '_':
            case '[':
            case ']':
            case '|':
            case '~':
                out += '\\';
                out += c;
                break;
            case '#':
            case '+':
            case '-':
            case '=':  // a heading or a list item only at the start
                if (i == 0) out += '\\';
                out += c;
                break;
            case '.':
            case ')':
                if (i > 0 && digits_so_far) out += '\\';
                out += c;
                break;
            default:
                out += c;
        }
        digits_so_far = digits_so_far && c >= '0' && c <= '9';
    }
    return isolate(plain, std::move(out));
}

}  // namespace muster
