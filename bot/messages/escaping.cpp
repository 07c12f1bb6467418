#include "bot/messages/escaping.h"

#include <algorithm>

#include "bot/domain/text.h"

namespace muster {

namespace {
const char* kFsi = "\xE2\x81\xA8";  // U+2068 FIRST STRONG ISOLATE
const char* kPdi = "\xE2\x81\xA9";  // U+2069 POP DIRECTIONAL ISOLATE

std::string isolate(const std::string& plain, std::string escaped) {
    return has_rtl(plain) ? kFsi + escaped + kPdi : escaped;
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
            (cp >= 0xFE70 && cp <= 0xFEFF))
            return true;
        i += len;
    }
    return false;
}

std::string escape_html(const std::string& plain) {
    std::string out;
    out.reserve(plain.size() + 16);
    for (char c : plain) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\n':
                out += "<br/>";
                break;
            default:
                out += c;
        }
    }
    return isolate(plain, std::move(out));
}

std::string escape_markdown(const std::string& plain) {
    std::string out;
    out.reserve(plain.size() + 16);
    bool digits_so_far = true;  // "1." or "1)" at the start would begin a numbered list
    for (std::size_t i = 0; i < plain.size(); ++i) {
        const char c = plain[i];
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;  // no raw HTML, no <autolink>
            case '>':
                out += "&gt;";
                break;
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
