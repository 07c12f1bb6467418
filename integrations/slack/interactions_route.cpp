#include "integrations/slack/interactions_route.h"

#include <spdlog/spdlog.h>

#include "bot/message.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/slash_command_route.h"
#include "storage/outbox_store.h"

namespace muster::slack {

InteractionsRoute::InteractionsRoute(const Config& config, const Clock& clock,
                                     const CommandRunner& runner)
    : config_(config), clock_(clock), runner_(runner) {}

void InteractionsRoute::handle(const HttpRequest& req, const Responder& respond) const {
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    const auto read = read_interaction(req.body);
    if (const auto* bad = std::get_if<BadRequest>(&read)) {
        respond(text_response(400, bad->reason + "\n"));
        return;
    }
    if (std::holds_alternative<Ignored>(read)) {
        respond(text_response(200, ""));  // nothing of ours: acknowledge and ignore
        return;
    }
    const auto& press = std::get<ButtonPress>(read);
    const Actor actor = press.actor;
    Writer& writer = runner_.writer();
    const EpochMs now = clock_.now_ms();
    const std::string incident = *press.command.incident_id;
    const bool queued = runner_.run(
        press.command, actor, press.dedupe_key,
        [respond, actor, &writer, now, incident](const Reply& reply) {
            respond(text_response(200, ""));
            if (!reply.error || actor.response_url.empty()) return;
            // The press changed nothing; tell the presser why, only them.
            writer.submit(
                [actor, reply, now, incident](SQLite::Database& db) {
                    enqueue_outbox(db, incident, "slack", "slack:respond:" + incident, "response",
                                   dump_json({{"op", "respond"},
                                              {"response_url", actor.response_url},
                                              {"text", reply.text}}),
                                   now);
                },
                nullptr);
        });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
