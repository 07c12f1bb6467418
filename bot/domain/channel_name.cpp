#include "bot/domain/channel_name.h"

#include "bot/domain/text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>

namespace muster {

namespace {

// Latin letters with accents fold to their base letter ("Zürich café" → "zurich cafe"); anything
// else outside ASCII (emoji, other scripts) is dropped and acts as a word boundary.
const char* fold_latin(std::uint32_t cp) {
    static const char* const latin1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
    static const char ext_a[] =
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRr"
        "SsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    static_assert(sizeof(ext_a) == 129, "one letter per code point U+0100..U+017F");
    static char one[2] = {0, 0};
    if (cp >= 0xC0 && cp <= 0xFF) return latin1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F) {
        one[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(ext_a[cp - 0x100])));
        return one;
    }
    return nullptr;
}

}  // namespace

const std::vector<std::string>& channel_name_tokens() {
    static const std::vector<std::string> tokens = {"yyyy", "mm",   "dd", "yyyymmdd", "hh", "min",
                                                    "hhmm", "slug", "id", "seq",      "sev"};
    return tokens;
}

std::vector<std::string> unknown_pattern_tokens(const std::string& pattern) {
    std::vector<std::string> unknown;
    const auto& known = channel_name_tokens();
    for (std::size_t open = pattern.find('{'); open != std::string::npos;
         open = pattern.find('{', open + 1)) {
        const auto close = pattern.find('}', open);
        if (close == std::string::npos) break;
        const std::string tok = pattern.substr(open + 1, close - open - 1);
        if (std::find(known.begin(), known.end(), tok) == known.end()) unknown.push_back(tok);
    }
    return unknown;
}

std::string slugify(const std::string& title, std::size_t max_len) {
    std::string out;
    bool boundary = false;
    auto put = [&](const std::string& letters) {
        if (boundary && !out.empty()) out += '-';
        boundary = false;
        out += letters;
    };
    for (std::size_t i = 0; i < title.size();) {
        const auto [cp, len] = utf8_char_at(title, i);
        i += len;
        if (cp < 0x80 && std::isalnum(static_cast<int>(cp))) {
            put(std::string(1, static_cast<char>(std::tolower(static_cast<int>(cp)))));
        } else if (cp == '\'' || cp == 0x2019) {
            // "can't" → "cant", not "can-t"
        } else if (const char* f = fold_latin(cp)) {
            put(f);
        } else {
            boundary = true;
        }
    }
    if (out.size() > max_len) {
        out.resize(max_len);
        // Cut at a word boundary when one is reasonably close.
        const auto dash = out.rfind('-');
        if (dash != std::string::npos && dash >= max_len / 2) out.resize(dash);
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

std::string channel_name(const ChannelNameInput& in, std::size_t max_len) {
    const UtcTime u = to_utc(in.declared_at);
    char buf[16];
    auto two = [&](int v) {
        std::snprintf(buf, sizeof buf, "%02d", v);
        return std::string(buf);
    };
    const std::string yyyy = std::to_string(u.year), mm = two(u.month), dd = two(u.day),
                      hh = two(u.hour), mi = two(u.minute);
    std::string id_lower;
    for (char c : in.incident_id)
        id_lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string seq = in.incident_id.size() > 13 ? in.incident_id.substr(13) : "";
    std::string sev;
    for (char c : in.severity)
        sev += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    std::map<std::string, std::string> values = {
        {"yyyy", yyyy}, {"mm", mm},   {"dd", dd},        {"yyyymmdd", yyyy + mm + dd},
        {"hh", hh},     {"min", mi},  {"hhmm", hh + mi}, {"id", id_lower},
        {"seq", seq},   {"sev", sev}, {"slug", ""}};
    auto expand = [&](const std::string& slug) {
        values["slug"] = slug;
        std::string out;
        for (std::size_t i = 0; i < in.pattern.size();) {
            if (in.pattern[i] == '{') {
                const auto close = in.pattern.find('}', i);
                const auto v = close == std::string::npos
                                   ? values.end()
                                   : values.find(in.pattern.substr(i + 1, close - i - 1));
                if (v != values.end()) {
                    out += v->second;
                    i = close + 1;
                    continue;
                }
            }
            out += in.pattern[i++];
        }
        // Only what Slack accepts: lowercase letters, digits, hyphens, underscores.
        std::string clean;
        for (unsigned char c : out) {
            if (std::isalnum(c) && c < 0x80)
                clean += static_cast<char>(std::tolower(c));
            else if (c == '_')
                clean += '_';
            else if (!clean.empty() && clean.back() != '-')
                clean += '-';
        }
        while (!clean.empty() && (clean.back() == '-' || clean.back() == '_')) clean.pop_back();
        return clean;
    };
    const std::string without_slug = expand("");
    // One more character for the separator the slug brings with it.
    const std::size_t budget =
        without_slug.size() + 1 >= max_len ? 0 : max_len - without_slug.size() - 1;
    std::string name = expand(slugify(in.title, budget));
    if (name.size() > max_len) name.resize(max_len);  // a pattern whose fixed part is too long
    while (!name.empty() && name.back() == '-') name.pop_back();
    if (name.empty()) name = "incident-" + id_lower;
    return name;
}

std::string channel_name(const ChannelNameInput& in, int k, std::size_t max_len) {
    if (k <= 1) return channel_name(in, max_len);
    const std::string suffix = "-" + std::to_string(k);
    return channel_name(in, max_len - std::min(max_len, suffix.size())) + suffix;
}

bool name_may_collide(const std::string& name, int k) {
    if (k >= 2) return true;
    std::size_t i = name.size();
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') --i;
    return i < name.size() && i > 0 && name[i - 1] == '-';
}

}  // namespace muster
