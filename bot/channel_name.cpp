#include "bot/channel_name.h"

#include <cctype>
#include <cstdio>

namespace muster {

std::string slugify(const std::string& title, std::size_t max_len) {
    std::string out;
    bool hyphen = false;
    for (unsigned char c : title) {
        if (std::isalnum(c) && c < 0x80) {
            if (hyphen && !out.empty()) out += '-';
            hyphen = false;
            out += static_cast<char>(std::tolower(c));
        } else if (c == '\'' ) {
            // "can't" → "cant", not "can-t"
        } else if (c >= 0x80) {
            // Non-ASCII (accents, emoji) is dropped; a word boundary stays a boundary.
            if ((c & 0xC0) != 0x80) hyphen = true;
        } else {
            hyphen = true;
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
    for (char c : in.incident_id) id_lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string seq = in.incident_id.size() > 13 ? in.incident_id.substr(13) : "";
    std::string sev;
    for (char c : in.severity) sev += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    auto expand = [&](const std::string& slug) {
        std::string out;
        for (std::size_t i = 0; i < in.pattern.size();) {
            if (in.pattern[i] == '{') {
                const auto close = in.pattern.find('}', i);
                if (close != std::string::npos) {
                    const std::string tok = in.pattern.substr(i + 1, close - i - 1);
                    std::string v;
                    bool known = true;
                    if (tok == "yyyy") v = yyyy;
                    else if (tok == "mm") v = mm;
                    else if (tok == "dd") v = dd;
                    else if (tok == "yyyymmdd") v = yyyy + mm + dd;
                    else if (tok == "hh") v = hh;
                    else if (tok == "min") v = mi;
                    else if (tok == "hhmm") v = hh + mi;
                    else if (tok == "slug") v = slug;
                    else if (tok == "id") v = id_lower;
                    else if (tok == "seq") v = seq;
                    else if (tok == "sev") v = sev;
                    else known = false;
                    if (known) {
                        out += v;
                        i = close + 1;
                        continue;
                    }
                }
            }
            out += in.pattern[i++];
        }
        // Only what Slack accepts: lowercase letters, digits, hyphens, underscores.
        std::string clean;
        for (unsigned char c : out) {
            if (std::isalnum(c) && c < 0x80) clean += static_cast<char>(std::tolower(c));
            else if (c == '_' ) clean += '_';
            else if (!clean.empty() && clean.back() != '-') clean += '-';
        }
        while (!clean.empty() && (clean.back() == '-' || clean.back() == '_')) clean.pop_back();
        return clean;
    };
    const std::string without_slug = expand("");
    // One more character for the separator the slug brings with it.
    const std::size_t budget = without_slug.size() + 1 >= max_len ? 0 : max_len - without_slug.size() - 1;
    std::string name = expand(slugify(in.title, budget));
    if (name.size() > max_len) name.resize(max_len);  // a pattern whose fixed part is too long
    while (!name.empty() && name.back() == '-') name.pop_back();
    if (name.empty()) name = "incident-" + id_lower;
    return name;
}

}  // namespace muster
