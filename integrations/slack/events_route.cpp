#include "integrations/slack/events_route.h"

#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include "bot/message.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/slash_command_route.h"
#include "storage/incident_store.h"
#include "storage/outbox_store.h"

namespace muster::slack {

EventsRoute::EventsRoute(const Config& config, const Clock& clock, Writer& writer)
    : config_(config), clock_(clock), writer_(writer) {}

namespace {

// True the first time (source, key) is seen; the key is then stored in the caller's transaction,
// so it commits with the effect it guards.
bool first_time(SQLite::Database& db, const char* source, const std::string& key, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT OR IGNORE INTO inbound_dedupe (source, key, received_at) VALUES "
                         "(?, ?, ?)");
    st.bind(1, source);
    st.bind(2, key);
    st.bind(3, static_cast<int64_t>(now));
    return st.exec() == 1;
}

bool posted_by_muster(SQLite::Database& db, const std::string& channel, const std::string& ts) {
    SQLite::Statement q(
        db, "SELECT 1 FROM chat_messages WHERE platform = 'slack' AND channel = ? AND ts = ?");
    q.bind(1, channel);
    q.bind(2, ts);
    return q.executeStep();
}

void apply_pin(SQLite::Database& db, const PinnedMessage& pin, EpochMs now) {
    if (!first_time(db, "slack_event", pin.event_id, now)) return;  // Slack's retry
    const auto incident = incident_for_channel(db, pin.channel);
    if (!incident || posted_by_muster(db, pin.channel, pin.ts)) return;  // our own declaration
    // One user action can arrive as several events (a pin and a 📌, or the same pin twice with
    // different event_ids): one timeline entry per message.
    if (!first_time(db, "slack_pinned_message", pin.channel + "/" + pin.ts, now)) return;
    const EpochMs at = ts_to_ms(pin.ts) ? ts_to_ms(pin.ts) : now;
    if (pin.via_reaction) {
        // The event carries no text: fetch it (conversations.history) after this request.
        enqueue_outbox(db, *incident, "slack", "slack:incident:" + *incident, "timeline_copy",
                       dump_json({{"op", "copy_to_timeline"},
                                  {"channel", pin.channel},
                                  {"ts", pin.ts},
                                  {"actor", pin.pinned_by},
                                  {"kind", "reaction"},
                                  {"at", at}}),
                       now);
        return;
    }
    TimelineEvent e;
    e.incident_id = *incident;
    e.at = at;
    e.type = "pinned_message";
    e.actor = pin.pinned_by;
    e.source = "slack";
    e.text = pin.text;
    e.data = dump_json(
        {{"author", pin.author}, {"channel", pin.channel}, {"ts", pin.ts}, {"via", "pin"}});
    append_timeline(db, e);
}

}  // namespace

void EventsRoute::handle(const HttpRequest& req, const Responder& respond) const {
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    const auto read = read_event(req.body);
    if (const auto* bad = std::get_if<BadRequest>(&read)) {
        respond(text_response(400, bad->reason + "\n"));
        return;
    }
    if (const auto* v = std::get_if<UrlVerification>(&read)) {
        respond(json_response(200, dump_json({{"challenge", v->challenge}})));
        return;
    }
    if (std::holds_alternative<Ignored>(read)) {
        respond(text_response(200, ""));
        return;
    }
    const PinnedMessage pin = std::get<PinnedMessage>(read);
    const EpochMs now = clock_.now_ms();
    const bool queued =
        writer_.submit([pin, now](SQLite::Database& db) { apply_pin(db, pin, now); },
                       [respond, event_id = pin.event_id](std::exception_ptr e) {
                           if (!e) {
                               respond(text_response(200, ""));
                               return;
                           }
                           // 5xx: Slack retries, and the dedupe key was not stored, so the retry
                           // counts.
                           spdlog::error("slack: event {} not saved", event_id);
                           respond(text_response(503, "not saved, retry\n"));
                       });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
