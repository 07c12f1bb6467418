#include "integrations/slack/slash_command_route.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "bot/message.h"
#include "integrations/slack/form.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/signature.h"

namespace muster::slack {

namespace {
// Thrown inside the write job so a refused command's savepoint rolls back: whatever a handler
// might have touched, a refusal leaves the database as it was.
struct Refused {
    Reply reply;
};
}  // namespace

std::string reply_body(const Reply& reply) {
    return dump_json({{"response_type", reply.in_channel ? "in_channel" : "ephemeral"},
                      {"text", escape_mrkdwn(reply.text)}});
}

SlashCommandRoute::SlashCommandRoute(const Config& config, const Clock& clock, Writer& writer,
                                     const CommandHandlers& handlers)
    : config_(config), clock_(clock), writer_(writer), handlers_(handlers) {}

void SlashCommandRoute::handle(const HttpRequest& req, const Responder& respond) const {
    const auto form = parse_form(req.body);
    // Slack's certificate check carries no signature (PROTOCOLS §1).
    if (form && form->count("ssl_check") && form->at("ssl_check") == "1" &&
        !form->count("command")) {
        respond(text_response(200, ""));
        return;
    }
    const auto check = verify(config_.slack.signing_secret, req.header("x-slack-request-timestamp"),
                              req.header("x-slack-signature"), req.body, clock_.now_ms());
    if (check != SignatureCheck::ok) {
        spdlog::warn("slack: rejected /slack/commands from {}: {}", req.remote, describe(check));
        respond(text_response(401, "invalid request signature\n"));
        return;
    }
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
    const Grammar grammar = handlers_.grammar();
    auto parsed = parse_command(field("text"), grammar);
    if (auto* usage = std::get_if<UsageError>(&parsed)) {
        respond(json_response(200, reply_body(ephemeral(usage->text()))));
        return;
    }
    const Command cmd = std::get<Command>(parsed);
    const Actor actor{field("user_id"), field("user_name"), "slack", field("channel_id"),
                      field("response_url")};
    const EpochMs now = clock_.now_ms();
    auto reply = std::make_shared<Reply>();
    const CommandHandlers& handlers = handlers_;
    const bool queued = writer_.submit(
        [&handlers, cmd, actor, now, reply](SQLite::Database& db) {
            *reply = handlers.execute(db, cmd, actor, now);
            if (reply->error) throw Refused{*reply};
        },
        [respond, reply, cmd, actor](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const Refused& r) {
                    respond(json_response(200, reply_body(r.reply)));
                    return;
                } catch (const std::exception& ex) {
                    spdlog::error("slack: /incident {} by {} not saved: {}", verb_name(cmd.verb),
                                  actor.user_id, ex.what());
                } catch (...) {
                    spdlog::error("slack: /incident {} by {} not saved", verb_name(cmd.verb),
                                  actor.user_id);
                }
                respond(json_response(
                    200, reply_body(refusal("⚠️ Muster could not save that just now (storage "
                                            "error); nothing was changed. Please try again."))));
                return;
            }
            spdlog::info("slack: /incident {} by {} in {}", verb_name(cmd.verb), actor.user_id,
                         actor.channel_id);
            respond(json_response(200, reply_body(*reply)));
        });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster::slack
