#include "bot/messages/templates.h"

#include <spdlog/spdlog.h>
#include <kainjow/mustache.hpp>

#include "bot/domain/untrusted_json.h"
#include "bot/messages/escaping.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace muster {

namespace {

namespace km = kainjow::mustache;

km::data to_mustache(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::object: {
            km::data d{km::data::type::object};
            for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_mustache(it.value()));
            return d;
        }
        case nlohmann::json::value_t::array: {
            km::data d{km::data::type::list};
            for (const auto& e : j) d.push_back(to_mustache(e));
            return d;
        }
        case nlohmann::json::value_t::boolean:
            return j.get<bool>() ? km::data{km::data::type::bool_true}
                                 : km::data{km::data::type::bool_false};
        case nlohmann::json::value_t::string: {
            const auto& s = j.get_ref<const std::string&>();
            // An empty string is falsy so {{#x}}…{{/x}} / {{^x}}…{{/x}} read naturally.
            if (s.empty()) return km::data{km::data::type::bool_false};
            return km::data{s};
        }
        case nlohmann::json::value_t::null:
            return km::data{km::data::type::bool_false};
        default:
            return km::data{dump_json(j)};
    }
}

std::string json_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

}  // namespace

// A template is usually a JSON document whose strings hold the Mustache tags (every built-in one
// is). Then it is parsed as JSON once, and a render fills in each string on its own: no JSON
// text is produced and parsed again on every delivery (that parse was over a quarter of a
// console delivery's time). A template that is not JSON by itself (tags between the
// structure) is rendered whole and its output parsed, as before.
struct Templates::Parsed {
    explicit Parsed(const std::string& text) : whole(text) {
        whole.set_custom_escape(json_escape);
        if (!whole.is_valid()) return;
        auto j = parse_untrusted_json(text);
        if (!j || !j->is_object()) return;
        tree = std::move(*j);
        if (!prepare(*tree)) tree.reset();
    }
    // Each string with a tag gets its own parsed Mustache, unescaped: the value lands in a JSON
    // string as it is.
    bool prepare(const nlohmann::json& j) {
        if (j.is_string()) {
            const auto& s = j.get_ref<const std::string&>();
            if (s.find("{{") == std::string::npos || leaves.count(s)) return true;
            auto m = std::make_unique<km::mustache>(s);
            if (!m->is_valid()) return false;
            m->set_custom_escape([](const std::string& v) { return v; });
            leaves.emplace(s, std::move(m));
            return true;
        }
        if (j.is_structured())
            for (const auto& e : j)
                if (!prepare(e)) return false;
        return true;
    }
    nlohmann::json fill(const nlohmann::json& j, const km::data& data) {
        if (j.is_string()) {
            const auto it = leaves.find(j.get_ref<const std::string&>());
            return it == leaves.end() ? j : nlohmann::json(it->second->render(data));
        }
        if (j.is_object()) {
            nlohmann::json out = nlohmann::json::object();
            for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = fill(it.value(), data);
            return out;
        }
        if (j.is_array()) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : j) out.push_back(fill(e, data));
            return out;
        }
        return j;
    }

    km::mustache whole;
    std::optional<nlohmann::json> tree;
    std::map<std::string, std::unique_ptr<km::mustache>> leaves;
};

Templates::Templates(std::string override_dir) : dir_(std::move(override_dir)) {
    if (dir_.empty()) return;
    for (const auto& [name, body] : embedded_templates()) {
        const auto path = std::filesystem::path(dir_) / (name + ".mustache");
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        overrides_[name] = {path.string(), ss.str()};
    }
}

std::string Templates::text_of(const std::string& name, std::string* origin) const {
    if (const auto o = overrides_.find(name); o != overrides_.end()) {
        if (origin) *origin = o->second.first;
        return o->second.second;
    }
    const auto& table = embedded_templates();
    const auto it = table.find(name);
    if (it == table.end()) throw std::runtime_error("no template named '" + name + "'");
    if (origin) *origin = "(built in)";
    return it->second;
}

std::string Templates::source_of(const std::string& name) const {
    std::string origin;
    text_of(name, &origin);
    return origin;
}

bool is_document_template(const std::string& name) {
    return name.rfind("pir_", 0) == 0 || name.rfind("report_", 0) == 0;
}

namespace {

// A template cut around its first {{#name}}…{{/name}} section: what comes before, the section's
// body, what comes after. A tag alone on its line takes its line with it, as Mustache's
// standalone rule says. nullopt when there is no such section.
struct Split {
    std::string before, body, after;
};
std::optional<Split> split_at_section(const std::string& t, const std::string& name) {
    const std::string open = "{{#" + name + "}}", close = "{{/" + name + "}}";
    const auto o = t.find(open);
    if (o == std::string::npos) return std::nullopt;
    const auto c = t.find(close, o + open.size());
    if (c == std::string::npos) return std::nullopt;
    auto line_start = [&](std::size_t at) {
        const auto nl = at == 0 ? std::string::npos : t.rfind('\n', at - 1);
        return nl == std::string::npos ? std::size_t{0} : nl + 1;
    };
    auto alone = [&](std::size_t from, std::size_t tag_end, std::size_t* after_line) {
        const std::size_t ls = line_start(from);
        for (std::size_t i = ls; i < from; ++i)
            if (t[i] != ' ' && t[i] != '\t') return false;
        std::size_t i = tag_end;
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r')) ++i;
        if (i < t.size() && t[i] != '\n') return false;
        *after_line = i < t.size() ? i + 1 : i;
        return true;
    };
    Split s;
    std::size_t after_open = 0, after_close = 0;
    const bool open_alone = alone(o, o + open.size(), &after_open);
    const bool close_alone = alone(c, c + close.size(), &after_close);
    s.before = t.substr(0, open_alone ? line_start(o) : o);
    const std::size_t body_from = open_alone ? after_open : o + open.size();
    const std::size_t body_to = close_alone ? line_start(c) : c;
    s.body = body_to > body_from ? t.substr(body_from, body_to - body_from) : "";
    s.after = t.substr(close_alone ? after_close : c + close.size());
    return s;
}

}  // namespace

namespace {
// Renders through `attempt(text, where)` from the template's own text; an override that fails
// (invalid Mustache, not JSON, a bad message) is logged and the shipped template is used instead:
// a broken override must not silence an incident.
template <typename Attempt>
auto with_builtin_fallback(const std::string& name, const std::string& text,
                           const std::string& origin, Attempt&& attempt) {
    if (origin == "(built in)") return attempt(text, name + " (built in)");
    try {
        return attempt(text, origin);
    } catch (const std::exception& e) {
        spdlog::error("{}; using the built-in {} template", e.what(), name);
        return attempt(embedded_templates().at(name), name + " (built in)");
    }
}
}  // namespace

std::string Templates::render_document(const std::string& name, const nlohmann::json& data,
                                       DocumentFormat format, const StreamedList* list) const {
    std::string origin;
    const std::string text = text_of(name, &origin);
    nlohmann::json with_flag = data;
    if (list) with_flag[list->name] = !list->empty;
    km::data values = to_mustache(with_flag);
    using Escape = std::function<std::string(const std::string&)>;
    const Escape escape = format == DocumentFormat::html       ? Escape(escape_html)
                          : format == DocumentFormat::markdown ? Escape(escape_markdown)
                                                               : Escape(escape_plain);
    auto attempt = [&](const std::string& tpl, const std::string& where) {
        km::mustache m{tpl};
        if (!m.is_valid()) throw std::runtime_error("template " + where + ": " + m.error_message());
        // The long list, one item at a time, when the template allows the cut (the section at
        // the top level); otherwise all of it as data, which is correct, only bigger.
        if (list) {
            const auto split = split_at_section(tpl, list->name);
            if (split) {
                km::mustache before{split->before}, after{split->after};
                km::mustache item{"{{#__item}}" + split->body + "{{/__item}}"};
                if (before.is_valid() && after.is_valid() && item.is_valid()) {
                    for (auto* part : {&before, &after, &item}) part->set_custom_escape(escape);
                    std::string out = before.render(values);
                    if (list->each)
                        list->each([&](const nlohmann::json& row) {
                            values.set("__item", to_mustache(row));
                            out += item.render(values);
                        });
                    out += after.render(values);
                    if (!before.is_valid() || !after.is_valid() || !item.is_valid())
                        throw std::runtime_error("template " + where + ": " +
                                                 before.error_message() + after.error_message() +
                                                 item.error_message());
                    return out;
                }
            }
            nlohmann::json all = with_flag;
            all[list->name] = nlohmann::json::array();
            if (list->each)
                list->each([&](const nlohmann::json& row) { all[list->name].push_back(row); });
            values = to_mustache(all);
        }
        m.set_custom_escape(escape);
        std::string out = m.render(values);
        if (!m.is_valid()) throw std::runtime_error("template " + where + ": " + m.error_message());
        return out;
    };
    return with_builtin_fallback(name, text, origin, attempt);
}

Message Templates::render(const std::string& name, const nlohmann::json& data) const {
    std::string origin;
    const std::string text = text_of(name, &origin);
    auto attempt = [&](const std::string& tpl, const std::string& where) {
        // Parsed once per template text and kept: parsing was most of the cost of a render, and
        // every delivered message renders one.
        const km::data values = to_mustache(data);
        nlohmann::json j;
        {
            std::lock_guard<std::mutex> lk(parsed_mu_);
            auto& parsed = parsed_[tpl];
            if (!parsed) parsed = std::make_shared<Parsed>(tpl);
            if (!parsed->whole.is_valid())
                throw std::runtime_error("template " + where + ": " +
                                         parsed->whole.error_message());
            if (parsed->tree) {
                j = parsed->fill(*parsed->tree, values);
            } else {
                std::string error;
                auto out = parse_untrusted_json(parsed->whole.render(values), &error);
                if (!out)
                    throw std::runtime_error("template " + where +
                                             " did not render to JSON: " + error);
                j = std::move(*out);
            }
        }
        try {
            return message_from_json(j);
        } catch (const std::exception& e) {
            throw std::runtime_error("template " + where + ": " + e.what());
        }
    };
    return with_builtin_fallback(name, text, origin, attempt);
}

namespace {
// Levenshtein distance, for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::size_t line_at(const std::string& text, std::size_t offset) {
    return 1 + static_cast<std::size_t>(
                   std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
}
}  // namespace

std::vector<std::string> template_problems(const std::string& name, const std::string& text,
                                           const std::string& origin) {
    std::vector<std::string> out;
    km::mustache m{text};
    if (!m.is_valid()) {
        // The library says "… at <offset>"; people want the line.
        std::string msg = m.error_message();
        std::size_t line = 0;
        if (const auto at = msg.rfind(" at "); at != std::string::npos) {
            char* end = nullptr;
            const unsigned long off = std::strtoul(msg.c_str() + at + 4, &end, 10);
            if (end && *end == '\0' && end != msg.c_str() + at + 4) {
                line = line_at(text, off);
                msg = msg.substr(0, at);
            }
        }
        out.push_back(origin + (line ? ":" + std::to_string(line) : "") + ": " + msg);
        return out;
    }
    const auto vars = template_variables().find(name);
    if (vars == template_variables().end()) return out;  // not a template Muster renders
    // Tags: {{x}} {{{x}}} {{&x}} {{#x}} {{^x}} (closing, comment and partial tags name nothing
    // new). Custom delimiters are not used by the shipped templates; an override that sets them
    // is checked by the library's parse alone.
    if (text.find("{{=") != std::string::npos) return out;
    std::size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string::npos) {
        const std::size_t close = text.find("}}", pos + 2);
        if (close == std::string::npos) break;
        std::string tag = text.substr(pos + 2, close - pos - 2);
        const std::size_t at = pos;
        pos = close + 2;
        if (!tag.empty() && tag[0] == '{') tag.erase(0, 1);
        if (tag.empty() || tag[0] == '!' || tag[0] == '/' || tag[0] == '>') continue;
        if (tag[0] == '#' || tag[0] == '^' || tag[0] == '&') tag.erase(0, 1);
        const auto b = tag.find_first_not_of(" \t");
        const auto e = tag.find_last_not_of(" \t");
        if (b == std::string::npos) continue;
        tag = tag.substr(b, e - b + 1);
        if (tag == ".") continue;
        const std::string head = tag.substr(0, tag.find('.'));
        if (std::find(vars->second.begin(), vars->second.end(), head) != vars->second.end())
            continue;
        std::string nearest;
        std::size_t best = 3;  // at most two edits away
        for (const auto& v : vars->second)
            if (const std::size_t d = distance(head, v); d < best) {
                best = d;
                nearest = v;
            }
        out.push_back(origin + ":" + std::to_string(line_at(text, at)) + ": unknown variable {{" +
                      tag + "}} (" + (nearest.empty() ? "" : "did you mean {{" + nearest + "}}? ") +
                      "templates/README.md lists what " + name + " has)");
    }
    return out;
}

std::vector<std::string> Templates::check() const {
    std::vector<std::string> problems;
    for (const auto& [name, body] : embedded_templates()) {
        const auto found = check_one(name);
        problems.insert(problems.end(), found.begin(), found.end());
    }
    return problems;
}

std::vector<std::string> Templates::drop_broken_overrides() {
    std::vector<std::string> problems;
    for (const auto& [name, body] : embedded_templates()) {
        const auto found = check_one(name);
        if (found.empty() || !overrides_.count(name)) continue;
        problems.insert(problems.end(), found.begin(), found.end());
        overrides_.erase(name);
    }
    return problems;
}

std::vector<std::string> Templates::check_one(const std::string& name) const {
    std::vector<std::string> problems;
    nlohmann::json sample = {
        {"id", "INC-20260101-001"},  {"title", "sample \"title\" <b>"},
        {"severity", "P1"},          {"severity_name", "High"},
        {"status", "investigating"}, {"status_label", "Investigating"},
        {"ic", "U0SAMPLE"},          {"now_utc", "2026-01-01 00:00 UTC"},
        {"text", "line1\nline2"},
    };
    std::string origin;
    const std::string text = text_of(name, &origin);
    problems = template_problems(name, text, origin);
    if (!problems.empty() || is_document_template(name)) return problems;
    km::mustache m{text};
    m.set_custom_escape(json_escape);
    try {
        std::string error;
        const auto j = parse_untrusted_json(m.render(to_mustache(sample)), &error);
        if (!j) throw std::runtime_error("did not render to JSON: " + error);
        message_from_json(*j);
    } catch (const std::exception& e) {
        problems.push_back(origin + ": " + e.what());
    }
    return problems;
}

}  // namespace muster
