#include "integrations/slack/inbound.h"

#include "bot/domain/incident_id.h"
#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"
#include "integrations/slack/form.h"

namespace muster::slack {

namespace {

std::string decode_entities(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '&') {
            if (s.compare(i, 5, "&amp;") == 0) {
                out += '&';
                i += 5;
                continue;
            }
            if (s.compare(i, 4, "&lt;") == 0) {
                out += '<';
                i += 4;
                continue;
            }
            if (s.compare(i, 4, "&gt;") == 0) {
                out += '>';
                i += 4;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

// One <…> of Slack's markup, inner text without the brackets, still entity-encoded.
std::string decode_markup(const std::string& inner) {
    const auto bar = inner.find('|');
    const std::string target = inner.substr(0, bar);
    const std::string label =
        bar == std::string::npos ? std::string() : decode_entities(inner.substr(bar + 1));
    if (target.empty()) return decode_entities(label);
    switch (target[0]) {
        case '@':  // <@U123> or <@U123|name>: the id, which the parser recognises as a user
            return target;
        case '#':  // <#C123|name>
            return "#" + (label.empty() ? target.substr(1) : label);
        case '!': {  // <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>
            if (target.rfind("!date", 0) == 0) return label;
            if (!label.empty()) return label[0] == '@' ? label : "@" + label;
            return "@" + target.substr(1, target.find('^') - 1);
        }
        default: {  // a link: <https://x> or <https://x|label>
            const std::string url = decode_entities(target);
            if (label.empty() || label == url) return url;
            if (url.rfind("mailto:", 0) == 0 && url.substr(7) == label) return label;
            return label + " (" + url + ")";
        }
    }
}

// Ids of users and channels are short printable ASCII; anything else is not from Slack.
bool plausible_id(const std::string& s) {
    if (s.empty() || s.size() > 255) return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7F) return false;
    return true;
}

std::string dedupe_key(const std::string& team, const std::string& trigger_id) {
    return trigger_id.empty() ? std::string() : "slack:" + team + ":" + trigger_id;
}

}  // namespace

std::string decode_text(const std::string& mrkdwn) {
    std::string out;
    out.reserve(mrkdwn.size());
    std::size_t i = 0;
    while (i < mrkdwn.size()) {
        const auto open = mrkdwn.find('<', i);
        if (open == std::string::npos) break;
        const auto close = mrkdwn.find('>', open + 1);
        if (close == std::string::npos) break;
        out += decode_entities(mrkdwn.substr(i, open - i));
        out += decode_markup(mrkdwn.substr(open + 1, close - open - 1));
        i = close + 1;
    }
    out += decode_entities(mrkdwn.substr(i));
    return out;
}

EpochMs ts_to_ms(const std::string& ts) {
    if (ts.empty() || ts.size() > 32) return 0;
    try {
        std::size_t used = 0;
        const double seconds = std::stod(ts, &used);
        if (used != ts.size() || !(seconds >= 0) || seconds > 1e11) return 0;
        return static_cast<EpochMs>(seconds * 1000.0);
    } catch (const std::exception&) {
        return 0;
    }
}

std::variant<SlashCommand, SslCheck, BadRequest> read_slash_command(const std::string& body) {
    const auto form = parse_form(body);
    if (!form) return BadRequest{"malformed form body"};
    auto field = [&](const char* k) -> std::string {
        const auto it = form->find(k);
        return it == form->end() ? "" : it->second;
    };
    // Slack's certificate check carries no command (PROTOCOLS §1).
    if (field("ssl_check") == "1" && !form->count("command")) return SslCheck{};
    if (!plausible_id(field("user_id")) || !plausible_id(field("channel_id")) ||
        !form->count("text"))
        return BadRequest{"missing user_id, channel_id or text"};
    SlashCommand c;
    c.actor = Actor{field("user_id"), sanitize_text(field("user_name"), false), "slack",
                    field("channel_id"), field("response_url")};
    c.text = sanitize_text(decode_text(field("text")), true);
    c.dedupe_key = dedupe_key(field("team_id"), field("trigger_id"));
    return c;
}

std::variant<ButtonPress, Ignored, BadRequest> read_interaction(const std::string& body) {
    const auto form = parse_form(body);
    if (!form || !form->count("payload")) return BadRequest{"expected a form with a payload field"};
    std::string error;
    const auto p = parse_untrusted_json(form->at("payload"), &error);
    if (!p || !p->is_object())
        return BadRequest{"payload is not a JSON object" + (error.empty() ? "" : ": " + error)};
    if (!p->contains("type") || !(*p)["type"].is_string()) return BadRequest{"payload has no type"};
    if (json_string(*p, "type") != "block_actions") return Ignored{};  // nothing of ours
    const auto* actions = json_array(*p, "actions");
    if (!actions || actions->empty() || !(*actions)[0].is_object())
        return BadRequest{"block_actions without actions"};
    const auto& action = (*actions)[0];
    if (!action.contains("action_id") || !action["action_id"].is_string())
        return BadRequest{"an action without an action_id"};
    const std::string action_id = json_string(action, "action_id");
    ButtonPress press;
    Command& cmd = press.command;
    if (action_id == "muster_acknowledge") {
        cmd.verb = Verb::ack;
    } else if (action_id == "muster_resolve") {
        cmd.verb = Verb::resolve;
    } else if (action_id == "muster_take_ic") {
        cmd.verb = Verb::role;
        cmd.role = Role::ic;
        cmd.user = "me";
    } else {
        return Ignored{};  // another app's button, or one of ours that no longer exists
    }
    const auto id = normalize_incident_id(json_string(action, "value"));
    const nlohmann::json none = nlohmann::json::object();
    const auto* user = json_object(*p, "user");
    const auto* channel = json_object(*p, "channel");
    const auto* team = json_object(*p, "team");
    const std::string user_id = json_string(user ? *user : none, "id");
    if (!id || !plausible_id(user_id)) return BadRequest{"the action names no incident or no user"};
    cmd.incident_id = *id;
    press.actor =
        Actor{user_id, sanitize_text(json_string(user ? *user : none, "username"), false), "slack",
              json_string(channel ? *channel : none, "id"), json_string(*p, "response_url")};
    const std::string team_id = json_string(team ? *team : none, "id");
    press.dedupe_key = dedupe_key(team_id, json_string(*p, "trigger_id"));
    if (press.dedupe_key.empty() && !json_string(action, "action_ts").empty())
        press.dedupe_key =
            "slack:" + team_id + ":action:" + user_id + ":" + json_string(action, "action_ts");
    return press;
}

std::variant<UrlVerification, PinnedMessage, Ignored, BadRequest> read_event(
    const std::string& body) {
    std::string error;
    const auto b = parse_untrusted_json(body, &error);
    if (!b || !b->is_object())
        return BadRequest{"body is not a JSON object" + (error.empty() ? "" : ": " + error)};
    if (!b->contains("type") || !(*b)["type"].is_string()) return BadRequest{"body has no type"};
    const std::string type = json_string(*b, "type");
    if (type == "url_verification") {
        if (!b->contains("challenge") || !(*b)["challenge"].is_string())
            return BadRequest{"url_verification without a challenge"};
        return UrlVerification{json_string(*b, "challenge")};
    }
    if (type != "event_callback") return Ignored{};
    const std::string event_id = json_string(*b, "event_id");
    const auto* ev = json_object(*b, "event");
    if (event_id.empty() || !ev) return BadRequest{"event_callback without event_id or event"};
    const std::string ev_type = json_string(*ev, "type");
    const nlohmann::json none = nlohmann::json::object();
    PinnedMessage pin;
    pin.event_id = event_id;
    pin.pinned_by = json_string(*ev, "user");
    if (ev_type == "pin_added") {
        const auto* item = json_object(*ev, "item");
        const auto* msg = item ? json_object(*item, "message") : nullptr;
        pin.channel = json_string(*ev, "channel_id");
        pin.ts = json_string(msg ? *msg : none, "ts");
        if (!plausible_id(pin.channel) || !plausible_id(pin.ts)) return Ignored{};  // a file pin
        pin.author = json_string(*msg, "user");
        pin.text = sanitize_text(decode_text(json_string(*msg, "text")), true);
        return pin;
    }
    if (ev_type == "reaction_added" && json_string(*ev, "reaction") == "pushpin") {
        const auto* item = json_object(*ev, "item");
        pin.channel = json_string(item ? *item : none, "channel");
        pin.ts = json_string(item ? *item : none, "ts");
        if (!plausible_id(pin.channel) || !plausible_id(pin.ts)) return Ignored{};
        pin.via_reaction = true;
        return pin;
    }
    return Ignored{};
}

}  // namespace muster::slack
