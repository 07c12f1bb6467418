#include "integrations/slack/interactions_route.h"

#include <spdlog/spdlog.h>

#include "bot/incident_id.h"
#include "bot/message.h"
#include "integrations/slack/form.h"
#include "integrations/slack/slash_command_route.h"
#include "storage/outbox_store.h"

namespace muster::slack {

InteractionsRoute::InteractionsRoute(const Config& config, const Clock& clock,
                                     const CommandRunner& runner)
    : config_(config), clock_(clock), runner_(runner) {}

void InteractionsRoute::handle(const HttpRequest& req, const Responder& respond) const {
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    const auto form = parse_form(req.body);
    if (!form || !form->count("payload")) {
        respond(text_response(400, "expected a form with a payload field\n"));
        return;
    }
    const auto p = nlohmann::json::parse(form->at("payload"), nullptr, false);
    if (!p.is_object()) {
        respond(text_response(400, "payload is not JSON\n"));
        return;
    }
    if (p.value("type", "") != "block_actions" || !p.contains("actions") ||
        !p["actions"].is_array() || p["actions"].empty() || !p["actions"][0].is_object()) {
        respond(text_response(200, ""));  // nothing of ours: acknowledge and ignore
        return;
    }
    const auto& action = p["actions"][0];
    const std::string action_id = action.value("action_id", "");
    Command cmd;
    if (action_id == "muster_acknowledge") {
        cmd.verb = Verb::ack;
    } else if (action_id == "muster_resolve") {
        cmd.verb = Verb::resolve;
    } else if (action_id == "muster_take_ic") {
        cmd.verb = Verb::role;
        cmd.role = Role::ic;
        cmd.user = "me";
    } else {
        respond(text_response(200, ""));
        return;
    }
    const auto id = normalize_incident_id(action.value("value", ""));
    auto obj = [&](const char* k) {
        return p.contains(k) && p[k].is_object() ? p[k] : nlohmann::json::object();
    };
    const std::string user = obj("user").value("id", "");
    if (!id || user.empty()) {
        respond(text_response(400, "the action names no incident or no user\n"));
        return;
    }
    cmd.incident_id = *id;
    const Actor actor{user, obj("user").value("username", ""), "slack",
                      obj("channel").value("id", ""), p.value("response_url", "")};
    Writer& writer = runner_.writer();
    const EpochMs now = clock_.now_ms();
    const bool queued =
        runner_.run(cmd, actor, [respond, actor, &writer, now, incident = *id](const Reply& reply) {
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
