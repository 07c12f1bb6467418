#include "bot/domain/text.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace muster {

bool is_valid_utf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto [cp, len] = utf8_char_at(s, i);
        if (cp == 0xFFFD && len == 1) return false;
        i += len;
    }
    return true;
}

std::size_t utf8_length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string truncate_chars(const std::string& s, std::size_t max_chars) {
    std::size_t chars = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (chars == max_chars) break;
            ++chars;
        }
    }
    if (i >= s.size()) return s;
    // Cut one character earlier to make room for the ellipsis.
    std::size_t cut = i;
    do {
        --cut;
    } while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80);
    return s.substr(0, cut) + "…";
}

std::pair<std::uint32_t, std::size_t> utf8_char_at(const std::string& s, std::size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return {c, 1};
    int n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) return {0xFFFD, 1};
    std::uint32_t cp = c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
        const unsigned char cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((cc & 0xC0) != 0x80) return {0xFFFD, 1};
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return {0xFFFD, 1};
    return {cp, static_cast<std::size_t>(n) + 1};
}

namespace {
bool is_control(std::uint32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}
}  // namespace

std::string sanitize_text(const std::string& s, bool multiline) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto [cp, len] = utf8_char_at(s, i);
        if (cp == '\r' || cp == '\n') {
            if (cp == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;  // CRLF is one break
            out += multiline ? '\n' : ' ';
        } else if (cp == '\t') {
            out += ' ';
        } else if (is_control(cp)) {
            // dropped: ESC, BEL, backspace, NUL, C1 …
        } else if (cp == 0xFFFD && len == 1) {
            out += "\xEF\xBF\xBD";
        } else {
            out.append(s, i, len);
        }
        i += len;
    }
    return out;
}

std::string escape_controls(const std::string& s, bool keep_newlines) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto [cp, len] = utf8_char_at(s, i);
        if (cp == '\n' && keep_newlines) {
            out += '\n';
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (is_control(cp)) {
            char buf[12];
            std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02x" : "\\u%04x",
                          static_cast<unsigned>(cp));
            out += buf;
        } else if (cp == 0xFFFD && len == 1) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
            out += buf;
        } else {
            out.append(s, i, len);
        }
        i += len;
    }
    return out;
}

std::string cut_and_escape(const std::string& plain, std::size_t max_chars,
                           const std::function<std::string(const std::string&)>& escape) {
    std::string whole = escape(plain);
    if (utf8_length(whole) <= max_chars) return whole;
    if (max_chars == 0) return "";
    // Escape character by character until the next one would not leave room for "…".
    std::string out;
    std::size_t used = 0;
    for (std::size_t i = 0; i < plain.size();) {
        const std::size_t len = utf8_char_at(plain, i).second;
        const std::string piece = escape(plain.substr(i, len));
        const std::size_t n = utf8_length(piece);
        if (used + n + 1 > max_chars) break;
        out += piece;
        used += n;
        i += len;
    }
    return out + "…";
}

TextAndEta split_eta(const std::string& text) {
    std::string lower = text;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The last "eta:" that starts a word, so "beta: …" is not one.
    std::size_t at = std::string::npos;
    for (std::size_t i = lower.find("eta:"); i != std::string::npos; i = lower.find("eta:", i + 1))
        if (i == 0 || !std::isalnum(static_cast<unsigned char>(lower[i - 1]))) at = i;
    if (at == std::string::npos) return {text, ""};
    auto trim = [](std::string s) {
        const char* ws = " \t\n\r-,;:";  // ASCII only: never cut into a UTF-8 character
        const auto b = s.find_first_not_of(ws);
        if (b == std::string::npos) return std::string();
        return s.substr(b, s.find_last_not_of(" \t\n\r,;") - b + 1);
    };
    TextAndEta r{trim(text.substr(0, at)), trim(text.substr(at + 4))};
    if (r.eta.empty()) return {text, ""};
    return r;
}

}  // namespace muster
