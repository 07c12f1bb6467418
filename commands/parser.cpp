#include "commands/parser.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "bot/domain/clock.h"
#include "bot/domain/incident_id.h"

namespace muster {

namespace {

struct Token {
    std::string text;
    std::size_t begin, end;  // byte offsets in the source
};

bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<Token> tokenize(const std::string& s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(static_cast<unsigned char>(s[i]))) ++i;
        if (i >= s.size()) break;
        const std::size_t b = i;
        while (i < s.size() && !is_space(static_cast<unsigned char>(s[i]))) ++i;
        out.push_back({s.substr(b, i - b), b, i});
    }
    return out;
}

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string severity_choices(const Grammar& g) {
    if (g.severities.empty()) return "P0-P3";
    if (g.severities.size() > 1 && g.severities.front().size() == 2 &&
        g.severities.back().size() == 2 && g.severities.front()[0] == 'P')
        return g.severities.front() + "-" + g.severities.back();
    std::string s;
    for (const auto& k : g.severities) s += (s.empty() ? "" : "|") + k;
    return s;
}

std::optional<std::string> match_severity(const std::string& tok, const Grammar& g) {
    for (const auto& k : g.severities)
        if (lower(k) == lower(tok)) return k;
    return std::nullopt;
}

bool valid_date(const std::string& s) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    if (s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

struct VerbInfo {
    Verb verb;
    const char* name;
    bool takes_incident;
};

const VerbInfo kVerbs[] = {
    {Verb::declare, "declare", false},  {Verb::update, "update", true},
    {Verb::ack, "ack", true},           {Verb::resolve, "resolve", true},
    {Verb::decline, "decline", true},   {Verb::reopen, "reopen", true},
    {Verb::severity, "severity", true}, {Verb::role, "role", true},
    {Verb::note, "note", true},         {Verb::action, "action", true},
    {Verb::impact, "impact", true},     {Verb::rootcause, "rootcause", true},
    {Verb::status, "status", true},     {Verb::list, "list", false},
    {Verb::help, "help", false},        {Verb::page, "page", true},
    {Verb::export_pir, "export", true},
};

std::optional<VerbInfo> find_verb(const std::string& word) {
    const std::string w = lower(word);
    for (const auto& v : kVerbs)
        if (w == v.name) return v;
    const char* alias = w == "acknowledge"  ? "ack"
                        : w == "sev"        ? "severity"
                        : w == "root-cause" ? "rootcause"
                                            : nullptr;
    if (alias)
        for (const auto& v : kVerbs)
            if (std::string(alias) == v.name) return v;
    return std::nullopt;
}

}  // namespace

bool looks_like_user_id(const std::string& s) {
    if (s.size() < 5 || s.size() > 32 || (s[0] != 'U' && s[0] != 'W')) return false;
    bool digit = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (std::isdigit(c))
            digit = true;
        else if (!std::isupper(c))
            return false;
    }
    return digit;
}

std::optional<std::string> parse_user(const std::string& tok) {
    if (tok.size() > 3 && tok[0] == '<' && tok[1] == '@' && tok.back() == '>') {
        std::string inner = tok.substr(2, tok.size() - 3);
        if (auto bar = inner.find('|'); bar != std::string::npos) inner = inner.substr(0, bar);
        if (inner.empty()) return std::nullopt;
        for (char c : inner)
            if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
        return inner;
    }
    if (tok.size() > 1 && tok[0] == '@') {
        if (looks_like_user_id(tok.substr(1))) return tok.substr(1);
        return tok;
    }
    if (lower(tok) == "me") return std::string("me");
    return std::nullopt;
}

const char* verb_name(Verb v) {
    for (const auto& i : kVerbs)
        if (i.verb == v) return i.name;
    return "?";
}

std::string usage_line(Verb v, const Grammar& g) {
    const std::string sev = severity_choices(g);
    switch (v) {
        case Verb::declare:
            return "/incident declare [--drill] <" + sev +
                   "> <title…>  or  /incident declare [--drill] impact=<high|medium|low> "
                   "urgency=<high|medium|low> <title…>";
        case Verb::update:
            return "/incident update [INC-id] <investigating|identified|monitoring|resolved> "
                   "<text…>";
        case Verb::ack:
            return "/incident ack [INC-id]";
        case Verb::resolve:
            return "/incident resolve [INC-id] [text…]";
        case Verb::decline:
            return "/incident decline [INC-id] [reason…]  (not an incident after all: resolves it "
                   "with no review and leaves it out of reports)";
        case Verb::reopen:
            return "/incident reopen [INC-id] [text…]";
        case Verb::severity:
            return "/incident severity [INC-id] <" + sev + ">";
        case Verb::role:
            return "/incident role [INC-id] <ic|tech|ops|comms> <@user|me>";
        case Verb::note:
            return "/incident note [INC-id] <text…>";
        case Verb::action:
            return "/incident action [INC-id] <text…> [@owner] [due:YYYY-MM-DD]  or  /incident "
                   "action [INC-id] <done|reopen> <number>";
        case Verb::impact:
            return "/incident impact [INC-id] <text…>";
        case Verb::rootcause:
            return "/incident rootcause [INC-id] <text…>";
        case Verb::status:
            return "/incident status [INC-id]";
        case Verb::list:
            return "/incident list";
        case Verb::help:
            return "/incident help [command]";
        case Verb::page:
            return "/incident page [INC-id] <level|@user|contact>";
        case Verb::export_pir:
            return "/incident export [INC-id] [markdown|html|json]  (the post-incident review "
                   "document)";
    }
    return "/incident help";
}

std::string help_text(const Grammar& g) {
    std::string s =
        "Muster incident commands (inside an incident channel the incident is implied; "
        "elsewhere name it, e.g. `/incident ack INC-20261122-001`):\n";
    for (const auto& v : kVerbs) s += "• " + usage_line(v.verb, g) + "\n";
    return s;
}

std::variant<Command, UsageError> parse_command(const std::string& raw_text, const Grammar& g) {
    auto usage_err = [&](Verb v, const std::string& msg) {
        return UsageError{msg, usage_line(v, g)};
    };
    if (!is_valid_utf8(raw_text))
        return UsageError{"The command text is not valid UTF-8.", usage_line(Verb::help, g)};
    // Adapters clean text where it enters; the parser holds the same line for any other caller.
    const std::string raw = sanitize_text(raw_text, true);
    const std::vector<Token> toks = tokenize(raw);
    Command cmd;
    if (toks.empty()) {
        cmd.verb = Verb::help;
        return cmd;
    }
    const auto info = find_verb(toks[0].text);
    if (!info) {
        std::string shown =
            toks[0].text.size() > 40 ? toks[0].text.substr(0, 40) + "…" : toks[0].text;
        if (!is_valid_utf8(shown)) shown = "?";
        return UsageError{"Unknown command '" + shown + "'. Try `/incident help`.",
                          "/incident <declare|update|ack|resolve|reopen|severity|role|note|action|"
                          "impact|rootcause|page|status|list|help> …"};
    }
    cmd.verb = info->verb;
    std::size_t i = 1;
    if (info->takes_incident && i < toks.size()) {
        if (auto id = normalize_incident_id(toks[i].text)) {
            cmd.incident_id = *id;
            ++i;
        }
    }
    // The rest of the text from token i on, exactly as typed (inner spacing and newlines kept).
    auto rest_from = [&](std::size_t k) -> std::string {
        if (k >= toks.size()) return "";
        return trim(raw.substr(toks[k].begin));
    };
    // Empty text is a usage error; long text is kept, cut visibly at the cap.
    auto check_text = [&](Verb v, const std::string& what, std::string& t,
                          std::size_t limit) -> std::optional<UsageError> {
        if (t.empty()) return usage_err(v, "Please add " + what + ".");
        t = truncate_chars(t, limit);
        return std::nullopt;
    };
    const std::size_t left = toks.size() - i;

    switch (cmd.verb) {
        case Verb::declare: {
            if (left == 0) return usage_err(Verb::declare, "Please give a severity and a title.");
            auto drill_flag = [&] {
                if (i < toks.size() && lower(toks[i].text) == "--drill") {
                    cmd.drill = true;
                    ++i;
                }
            };
            drill_flag();
            if (i >= toks.size())
                return usage_err(Verb::declare, "Please give a severity and a title.");
            if (auto sev = match_severity(toks[i].text, g)) {
                cmd.severity = *sev;
                ++i;
            } else {
                // impact=… urgency=… in either order
                while (i < toks.size()) {
                    const std::string t = lower(toks[i].text);
                    const auto eq = t.find('=');
                    if (eq == std::string::npos) break;
                    const std::string k = t.substr(0, eq), v = t.substr(eq + 1);
                    if (k != "impact" && k != "urgency") break;
                    const auto lv = parse_level(v);
                    if (!lv)
                        return usage_err(Verb::declare, "'" + v + "' is not a valid " + k +
                                                            " (use high, medium or low).");
                    (k == "impact" ? cmd.impact : cmd.urgency) = lv;
                    ++i;
                }
                if (!cmd.impact && !cmd.urgency) {
                    std::string shown = toks[i].text.substr(0, 20);
                    if (!is_valid_utf8(shown)) shown = "?";
                    return usage_err(Verb::declare, "'" + shown + "' is not a severity (" +
                                                        severity_choices(g) + ").");
                }
                if (!cmd.impact || !cmd.urgency)
                    return usage_err(Verb::declare,
                                     "Give both impact= and urgency=, or a severity.");
            }
            drill_flag();
            // A title is one line: pasted alert text keeps its words, not its line breaks.
            cmd.text = trim(sanitize_text(rest_from(i), false));
            if (auto e = check_text(Verb::declare, "a title", cmd.text, g.max_title_chars))
                return *e;
            return cmd;
        }
        case Verb::update: {
            if (left == 0)
                return usage_err(Verb::update, "Please give the status and what changed.");
            const auto st = parse_status(toks[i].text);
            if (!st) {
                std::string shown = toks[i].text.substr(0, 20);
                if (!is_valid_utf8(shown)) shown = "?";
                return usage_err(Verb::update, "'" + shown + "' is not a status.");
            }
            cmd.status = *st;
            cmd.text = rest_from(i + 1);
            if (auto e = check_text(Verb::update, "what changed", cmd.text, g.max_text_chars))
                return *e;
            return cmd;
        }
        case Verb::ack:
        case Verb::status:
        case Verb::list:
            if (left > 0)
                return usage_err(cmd.verb,
                                 std::string("`") + verb_name(cmd.verb) + "` takes no text" +
                                     (info->takes_incident ? " other than an incident id." : "."));
            return cmd;
        case Verb::export_pir: {
            const std::string f = left == 0 ? "markdown" : lower(toks[i].text);
            if (left > 1 || (f != "markdown" && f != "md" && f != "html" && f != "json"))
                return usage_err(Verb::export_pir, "Formats are markdown, html and json.");
            cmd.text = f == "md" ? "markdown" : f;
            return cmd;
        }
        case Verb::resolve:
        case Verb::decline:
        case Verb::reopen:
            cmd.text = truncate_chars(rest_from(i), g.max_text_chars);
            return cmd;
        case Verb::severity: {
            if (left != 1)
                return usage_err(Verb::severity, left == 0 ? "Please give the new severity."
                                                           : "Give only the new severity.");
            const auto sev = match_severity(toks[i].text, g);
            if (!sev) {
                std::string shown = toks[i].text.substr(0, 20);
                if (!is_valid_utf8(shown)) shown = "?";
                return usage_err(Verb::severity, "'" + shown + "' is not a severity (" +
                                                     severity_choices(g) + ").");
            }
            cmd.severity = *sev;
            return cmd;
        }
        case Verb::role: {
            if (left != 2) return usage_err(Verb::role, "Please give a role and one person.");
            const auto role = parse_role(toks[i].text);
            if (!role) return usage_err(Verb::role, "Roles are ic, tech, ops and comms.");
            const auto user = parse_user(toks[i + 1].text);
            if (!user) return usage_err(Verb::role, "Name the person as @user (or `me`).");
            cmd.role = *role;
            cmd.user = *user;
            return cmd;
        }
        case Verb::note:
        case Verb::impact:
        case Verb::rootcause: {
            cmd.text = rest_from(i);
            const char* what = cmd.verb == Verb::note     ? "the note"
                               : cmd.verb == Verb::impact ? "the impact"
                                                          : "the root cause";
            if (auto e = check_text(cmd.verb, what, cmd.text, g.max_text_chars)) return *e;
            return cmd;
        }
        case Verb::action: {
            // "done 2" / "reopen #2" close or reopen item 2; "done" alone asks which; anything
            // else ("done testing the failover") is a new item's text.
            auto number_like = [](std::string n) {
                if (!n.empty() && n[0] == '#') n.erase(0, 1);
                return !n.empty() && n.size() <= 6 &&
                       std::all_of(n.begin(), n.end(),
                                   [](unsigned char ch) { return std::isdigit(ch) != 0; });
            };
            const bool done_or_reopen =
                left >= 1 && (lower(toks[i].text) == "done" || lower(toks[i].text) == "reopen");
            if (done_or_reopen && (left == 1 || (left == 2 && number_like(toks[i + 1].text)))) {
                std::string n = left == 2 ? toks[i + 1].text : "";
                if (!n.empty() && n[0] == '#') n.erase(0, 1);
                if (n.empty() || std::stoi(n) < 1)
                    return usage_err(Verb::action, "Which action item? Give its number, e.g. " +
                                                       lower(toks[i].text) + " 2.");
                cmd.action_number = std::stoi(n);
                cmd.action_done = lower(toks[i].text) == "done";
                return cmd;
            }
            std::size_t end = toks.size();
            while (end > i) {
                const std::string& t = toks[end - 1].text;
                if (lower(t).rfind("due:", 0) == 0) {
                    if (cmd.due) return usage_err(Verb::action, "Give only one due date.");
                    const std::string d = t.substr(4);
                    if (!valid_date(d))
                        return usage_err(
                            Verb::action,
                            "'" + (is_valid_utf8(d) ? d.substr(0, 20) : std::string("?")) +
                                "' is not a date (YYYY-MM-DD).");
                    cmd.due = d;
                } else if (auto u = parse_user(t); u && *u != "me" && t != "me") {
                    if (!cmd.owner.empty()) break;
                    cmd.owner = *u;
                } else {
                    break;
                }
                --end;
            }
            if (end > i)
                cmd.text = trim(raw.substr(toks[i].begin, toks[end - 1].end - toks[i].begin));
            if (auto e = check_text(Verb::action, "the action item", cmd.text, g.max_text_chars))
                return *e;
            return cmd;
        }
        case Verb::page: {
            if (left != 1)
                return usage_err(Verb::page,
                                 left == 0
                                     ? "Say whom to page: a level (2 or L2), a contact or @user."
                                     : "Page one level, contact or @user at a time.");
            const std::string& t = toks[i].text;
            if (auto u = parse_user(t); u && *u != "me" && (*u)[0] != '@')
                cmd.user = *u;  // a mention: that user, by DM
            else if (t.size() <= 100)
                cmd.text = t;  // a level, a contact, or something to refuse with the choices
            else
                return usage_err(Verb::page, "That is not a level, a contact or a @user.");
            return cmd;
        }
        case Verb::help: {
            if (left > 0) {
                if (auto v = find_verb(toks[i].text)) cmd.help_topic = v->verb;
            }
            return cmd;
        }
    }
    return cmd;
}

}  // namespace muster
