#include "integrations/slack/routes.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "bot/domain/text.h"
#include "bot/server/rejections.h"
#include "integrations/slack/inbound.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/signature.h"

namespace muster::slack {

namespace {
// Slack shows at most 4,000 characters of a message's text (PROTOCOLS §4).
constexpr std::size_t kReplyChars = 4000;

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string reply_body(const Reply& reply) {
    return dump({{"response_type", reply.in_channel ? "in_channel" : "ephemeral"},
                 {"text", cut_and_escape(reply.text, kReplyChars, escape_mrkdwn)}});
}

HttpResponse busy_response() {
    HttpResponse r = text_response(503, "busy, nothing was saved: retry\n");
    r.headers.emplace_back("Retry-After", "1");
    return r;
}

bool signed_by_slack(const Config& config, const Clock& clock, const HttpRequest& req,
                     const Responder& respond) {
    const auto check = verify(config.slack.signing_secret, req.header("x-slack-request-timestamp"),
                              req.header("x-slack-signature"), req.body, clock.now_ms());
    if (check == SignatureCheck::ok) return true;
    rejections().note(req.path, req.remote, describe(check), clock.now_ms());
    respond(text_response(401, "invalid request signature\n"));
    return false;
}

void handle_command(const Config& config, const Clock& clock, Intake& intake,
                    const HttpRequest& req, const Responder& respond) {
    const auto read = read_slash_command(req.body);
    // Slack's certificate check carries no signature (PROTOCOLS §1).
    if (std::holds_alternative<SslCheck>(read)) return respond(text_response(200, ""));
    if (!signed_by_slack(config, clock, req, respond)) return;
    if (const auto* bad = std::get_if<BadRequest>(&read))
        return respond(text_response(400, bad->reason + "\n"));
    const auto& sc = std::get<SlashCommand>(read);
    auto parsed = parse_command(sc.text, intake.handlers().grammar());
    if (auto* usage = std::get_if<UsageError>(&parsed))
        return respond(json_response(200, reply_body(ephemeral(usage->text()))));
    intake.command(std::get<Command>(parsed), sc.actor, sc.dedupe_key, [respond](IntakeResult r) {
        if (r.kind == IntakeResult::Kind::busy) return respond(busy_response());
        respond(json_response(200, reply_body(r.reply)));
    });
}

void handle_interaction(const Config& config, const Clock& clock, Intake& intake,
                        const HttpRequest& req, const Responder& respond) {
    if (!signed_by_slack(config, clock, req, respond)) return;
    const auto read = read_interaction(req.body);
    if (const auto* bad = std::get_if<BadRequest>(&read))
        return respond(text_response(400, bad->reason + "\n"));
    if (std::holds_alternative<Ignored>(read))
        return respond(text_response(200, ""));  // nothing of ours: acknowledge and ignore
    const auto& press = std::get<ButtonPress>(read);
    const Actor actor = press.actor;
    const std::string incident = *press.command.incident_id;
    Intake* in = &intake;
    intake.command(press.command, actor, press.dedupe_key,
                   [respond, actor, in, incident](IntakeResult r) {
                       if (r.kind == IntakeResult::Kind::busy) return respond(busy_response());
                       respond(text_response(200, ""));
                       // The press changed nothing; tell the presser why, only them.
                       if (r.reply.error) in->answer_later(incident, actor, r.reply.text);
                   });
}

void handle_event(const Config& config, const Clock& clock, Intake& intake, const HttpRequest& req,
                  const Responder& respond) {
    if (!signed_by_slack(config, clock, req, respond)) return;
    const auto read = read_event(req.body);
    if (const auto* bad = std::get_if<BadRequest>(&read))
        return respond(text_response(400, bad->reason + "\n"));
    if (const auto* v = std::get_if<UrlVerification>(&read))
        return respond(json_response(200, dump({{"challenge", v->challenge}})));
    if (std::holds_alternative<Ignored>(read)) return respond(text_response(200, ""));
    const PinnedMessage& pin = std::get<PinnedMessage>(read);
    MarkedMessage m;
    m.platform = "slack";
    m.channel = pin.channel;
    m.ts = pin.ts;
    m.event_id = pin.event_id;
    m.marked_by = pin.pinned_by;
    m.author = pin.author;
    m.text = pin.text;
    m.via_reaction = pin.via_reaction;
    m.at = ts_to_ms(pin.ts) ? ts_to_ms(pin.ts) : clock.now_ms();
    intake.mark_message(m, [respond, event_id = pin.event_id](bool saved) {
        if (saved) return respond(text_response(200, ""));
        // 5xx: Slack retries, and the dedupe keys were not stored, so the retry counts.
        spdlog::error("slack: event {} not saved", escape_controls(event_id));
        respond(busy_response());
    });
}

}  // namespace muster::slack
