#include "integrations/slack/slash_command_route.h"

#include <spdlog/spdlog.h>

#include "bot/message.h"
#include "bot/text.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/signature.h"

namespace muster::slack {

// Slack shows at most 4,000 characters of a message's text (PROTOCOLS §4).
constexpr std::size_t kReplyChars = 4000;

std::string reply_body(const Reply& reply) {
    return dump_json({{"response_type", reply.in_channel ? "in_channel" : "ephemeral"},
                      {"text", cut_and_escape(reply.text, kReplyChars, escape_mrkdwn)}});
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
    const auto read = read_slash_command(req.body);
    // Slack's certificate check carries no signature (PROTOCOLS §1).
    if (std::holds_alternative<SslCheck>(read)) {
        respond(text_response(200, ""));
        return;
    }
    if (!signed_by_slack(config_, clock_, req, respond)) return;
    if (const auto* bad = std::get_if<BadRequest>(&read)) {
        respond(text_response(400, bad->reason + "\n"));
        return;
    }
    const auto& sc = std::get<SlashCommand>(read);
    auto parsed = parse_command(sc.text, runner_.handlers().grammar());
    if (auto* usage = std::get_if<UsageError>(&parsed)) {
        respond(json_response(200, reply_body(ephemeral(usage->text()))));
        return;
    }
    const bool queued = runner_.run(
        std::get<Command>(parsed), sc.actor, sc.dedupe_key,
        [respond](const Reply& reply) { respond(json_response(200, reply_body(reply))); });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
