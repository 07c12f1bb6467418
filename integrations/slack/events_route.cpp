#include "integrations/slack/events_route.h"

#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include "bot/message.h"
#include "integrations/slack/slash_command_route.h"
#include "storage/incident_store.h"
#include "storage/outbox_store.h"

namespace muster::slack {

EpochMs ts_to_ms(const std::string& ts) {
    try {
        std::size_t used = 0;
        const double seconds = std::stod(ts, &used);
        if (used != ts.size() || seconds < 0) return 0;
        return static_cast<EpochMs>(seconds * 1000.0);
    } catch (const std::exception&) {
        return 0;
    }
}

EventsRoute::EventsRoute(const Config& config, const Clock& clock, Writer& writer)
    : config_(config), clock_(clock), writer_(writer) {}

namespace {

std::string s(const nlohmann::json& j, const char* k) {
    return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>()
                                                              : std::string();
}

// True when the first time this event is seen (the key is then stored in the caller's transaction).
bool first_delivery(SQLite::Database& db, const std::string& event_id, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT OR IGNORE INTO inbound_dedupe (source, key, received_at) VALUES "
                         "('slack_event', ?, ?)");
    st.bind(1, event_id);
    st.bind(2, static_cast<int64_t>(now));
    return st.exec() == 1;
}

bool posted_by_muster(SQLite::Database& db, const std::string& channel, const std::string& ts) {
    SQLite::Statement q(
        db, "SELECT 1 FROM chat_messages WHERE platform = 'slack' AND channel = ? AND ts = ?");
    q.bind(1, channel);
    q.bind(2, ts);
    return q.executeStep();
}

void apply_event(SQLite::Database& db, const nlohmann::json& ev, EpochMs now) {
    const std::string type = s(ev, "type");
    if (type == "pin_added") {
        const std::string channel = s(ev, "channel_id");
        const auto incident = incident_for_channel(db, channel);
        if (!incident || !ev.contains("item")) return;
        const auto& item = ev["item"];
        const auto msg = item.contains("message") ? item["message"] : nlohmann::json();
        const std::string ts = s(msg, "ts");
        if (ts.empty() || posted_by_muster(db, channel, ts)) return;  // our own declaration pin
        TimelineEvent e;
        e.incident_id = *incident;
        e.at = ts_to_ms(ts) ? ts_to_ms(ts) : now;
        e.type = "pinned_message";
        e.actor = s(ev, "user");
        e.source = "slack";
        e.text = s(msg, "text");
        e.data = dump_json(
            {{"author", s(msg, "user")}, {"channel", channel}, {"ts", ts}, {"via", "pin"}});
        append_timeline(db, e);
    } else if (type == "reaction_added" && s(ev, "reaction") == "pushpin") {
        const auto& item = ev.contains("item") ? ev["item"] : nlohmann::json();
        const std::string channel = s(item, "channel"), ts = s(item, "ts");
        const auto incident = incident_for_channel(db, channel);
        if (!incident || ts.empty() || posted_by_muster(db, channel, ts)) return;
        // The event carries no text: fetch it (conversations.history) after this request.
        enqueue_outbox(db, *incident, "slack", "slack:incident:" + *incident, "timeline_copy",
                       dump_json({{"op", "copy_to_timeline"},
                                  {"channel", channel},
                                  {"ts", ts},
                                  {"actor", s(ev, "user")},
                                  {"kind", "reaction"},
                                  {"at", ts_to_ms(ts) ? ts_to_ms(ts) : now}}),
                       now);
    }
}

}  // namespace

void EventsRoute::handle(const HttpRequest& req, const Responder& respond) const {
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
        respond(text_response(400, "body is not a JSON object\n"));
        return;
    }
    const std::string type = s(body, "type");
    if (type == "url_verification") {
        respond(json_response(200, dump_json({{"challenge", s(body, "challenge")}})));
        return;
    }
    if (type != "event_callback") {
        respond(text_response(200, ""));
        return;
    }
    const std::string event_id = s(body, "event_id");
    if (event_id.empty() || !body.contains("event") || !body["event"].is_object()) {
        respond(text_response(400, "event_callback without event_id or event\n"));
        return;
    }
    const EpochMs now = clock_.now_ms();
    const nlohmann::json ev = body["event"];
    const bool queued = writer_.submit(
        [event_id, ev, now](SQLite::Database& db) {
            if (first_delivery(db, event_id, now)) apply_event(db, ev, now);
        },
        [respond, event_id](std::exception_ptr e) {
            if (!e) {
                respond(text_response(200, ""));
                return;
            }
            // 5xx: Slack retries, and the dedupe key was not stored, so the retry counts.
            spdlog::error("slack: event {} not saved", event_id);
            respond(text_response(503, "not saved, retry\n"));
        });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
