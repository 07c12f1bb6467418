#include "integrations/slack/slash_command_route.h"

#include <spdlog/spdlog.h>

#include "bot/message.h"
#include "integrations/slack/form.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/signature.h"

namespace muster::slack {

std::string reply_body(const Reply& reply) {
    return dump_json({{"response_type", reply.in_channel ? "in_channel" : "ephemeral"},
                      {"text", escape_mrkdwn(reply.text)}});
}

bool signed_by_slack(const Config& config, const Clock& clock, const HttpRequest& req,
                     const Responder& respond) {
    const auto check = verify(config.slack.signing_secret, req.header("x-slack-request-timestamp"),
                              req.header("x-slack-signature"), req.body, clock.now_ms());
    if (check == SignatureCheck::ok) return true;
    spdlog::warn("slack: rejected {} from {}: {}", req.path, req.remote, describe(check));
    respond(text_response(401, "invalid request signature\n"));
    return false;
}

SlashCommandRoute::SlashCommandRoute(const Config& config, const Clock& clock,
                                     const CommandRunner& runner)
    : config_(config), clock_(clock), runner_(runner) {}

void SlashCommandRoute::handle(const HttpRequest& req, const Responder& respond) const {
    const auto form = parse_form(req.body);
    // Slack's certificate check carries no signature (PROTOCOLS §1).
    if (form && form->count("ssl_check") && form->at("ssl_check") == "1" &&
        !form->count("command")) {
        respond(text_response(200, ""));
        return;
    }
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    if (!form) {
        respond(text_response(400, "malformed form body\n"));
        return;
    }
    auto field = [&](const char* k) -> std::string {
        const auto it = form->find(k);
        return it == form->end() ? "" : it->second;
    };
    if (field("user_id").empty() || field("channel_id").empty() || !form->count("text")) {
        respond(text_response(400, "missing user_id, channel_id or text\n"));
        return;
    }
    auto parsed = parse_command(field("text"), runner_.handlers().grammar());
    if (auto* usage = std::get_if<UsageError>(&parsed)) {
        respond(json_response(200, reply_body(ephemeral(usage->text()))));
        return;
    }
    const Actor actor{field("user_id"), field("user_name"), "slack", field("channel_id"),
                      field("response_url")};
    const bool queued = runner_.run(
        std::get<Command>(parsed), actor,
        [respond](const Reply& reply) { respond(json_response(200, reply_body(reply))); });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
