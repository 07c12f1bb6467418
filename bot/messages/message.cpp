#include "bot/messages/message.h"

#include <stdexcept>

namespace muster {

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json to_json(const Message& m) {
    nlohmann::json j;
    j["title"] = m.title;
    j["fields"] = nlohmann::json::array();
    for (const auto& f : m.fields) {
        nlohmann::json jf = {{"label", f.label}, {"value", f.value}};
        if (!f.user.empty()) jf["user"] = f.user;
        if (!f.channel.empty()) jf["channel"] = f.channel;
        j["fields"].push_back(jf);
    }
    j["sections"] = nlohmann::json::array();
    for (const auto& [h, b] : m.sections) j["sections"].push_back({{"heading", h}, {"body", b}});
    j["text"] = m.text;
    j["actions"] = nlohmann::json::array();
    for (const auto& a : m.actions)
        j["actions"].push_back(
            {{"id", a.id}, {"label", a.label}, {"value", a.value}, {"style", a.style}});
    j["fallback"] = m.fallback;
    return j;
}

static std::string str_at(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key)) return "";
    if (!j[key].is_string()) throw std::runtime_error(where + "." + key + " must be a string");
    return j[key].get<std::string>();
}

Message message_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::runtime_error("a message must be a JSON object");
    Message m;
    m.title = str_at(j, "title", "message");
    m.text = str_at(j, "text", "message");
    m.fallback = str_at(j, "fallback", "message");
    if (j.contains("fields")) {
        if (!j["fields"].is_array()) throw std::runtime_error("message.fields must be a list");
        for (const auto& f : j["fields"]) {
            if (!f.is_object()) throw std::runtime_error("each field must be an object");
            MessageField mf{str_at(f, "label", "field"), str_at(f, "value", "field"),
                            str_at(f, "user", "field"), str_at(f, "channel", "field")};
            // A field with neither a value nor a user says nothing: leave it out.
            if (!mf.value.empty() || !mf.user.empty() || !mf.channel.empty())
                m.fields.push_back(mf);
        }
    }
    if (j.contains("sections")) {
        if (!j["sections"].is_array()) throw std::runtime_error("message.sections must be a list");
        for (const auto& s : j["sections"]) {
            if (!s.is_object()) throw std::runtime_error("each section must be an object");
            std::string body = str_at(s, "body", "section");
            if (!body.empty()) m.sections.emplace_back(str_at(s, "heading", "section"), body);
        }
    }
    if (j.contains("actions")) {
        if (!j["actions"].is_array()) throw std::runtime_error("message.actions must be a list");
        for (const auto& a : j["actions"]) {
            if (!a.is_object()) throw std::runtime_error("each action must be an object");
            m.actions.push_back({str_at(a, "id", "action"), str_at(a, "label", "action"),
                                 str_at(a, "value", "action"), str_at(a, "style", "action")});
        }
    }
    if (m.title.empty() && m.text.empty() && m.fields.empty())
        throw std::runtime_error("a message needs a title, text or fields");
    return m;
}

std::string render_plain(const Message& m) {
    std::string out;
    if (!m.title.empty()) out += m.title + "\n";
    for (const auto& f : m.fields)
        out += f.label + ": " + (f.user.empty() ? f.value : "@" + f.user) + "\n";
    for (const auto& [h, b] : m.sections) {
        out += "\n" + h + ":\n";
        std::size_t start = 0;
        while (start <= b.size()) {
            const auto nl = b.find('\n', start);
            const std::string line =
                b.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
            out += "- " + line + "\n";
            if (nl == std::string::npos) break;
            start = nl + 1;
        }
    }
    if (!m.text.empty()) out += "\n" + m.text + "\n";
    if (!m.actions.empty()) {
        out += "\n";
        for (const auto& a : m.actions) out += "[" + a.label + "] ";
        out.pop_back();
        out += "\n";
    }
    return out;
}

}  // namespace muster
