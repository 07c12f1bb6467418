#include "bot/text.h"

#include <cctype>

namespace muster {

bool is_valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        int n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // truncated sequence
        for (int k = 1; k <= n; ++k) {
            const unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
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
