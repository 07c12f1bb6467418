// Slack's inbound HTTP routes (PROTOCOLS §1–3): verify the signature, read the request into a
// neutral input (inbound.h), hand it to the intake, answer Slack. Nothing here touches storage or
// waits on another service. A temporary inability to record (a full write queue, a write that
// cannot begin in time, draining) is 503 with Retry-After, never a 4xx.
#pragma once

#include "bot/config/config.h"
#include "bot/domain/clock.h"
#include "bot/runtime/intake.h"
#include "bot/server/http_server.h"
#include "commands/reply.h"

namespace muster::slack {

// POST /slack/commands: the /incident command, answered once its effects are durable.
void handle_command(const Config& config, const Clock& clock, Intake& intake,
                    const HttpRequest& req, const Responder& respond);
// POST /slack/interactions: the buttons of Muster's messages. A press is the same command typed
// by the same person; a refusal ("already acknowledged") goes back to the presser only.
void handle_interaction(const Config& config, const Clock& clock, Intake& intake,
                        const HttpRequest& req, const Responder& respond);
// POST /slack/events: url_verification; pins and 📌 reactions onto the incident's timeline.
void handle_event(const Config& config, const Clock& clock, Intake& intake, const HttpRequest& req,
                  const Responder& respond);

// The JSON body Slack expects in answer to a slash command (text escaped for mrkdwn, ≤ 4,000).
std::string reply_body(const Reply& reply);
// Checks X-Slack-Signature on a request; logs and answers 401 itself when it fails.
bool signed_by_slack(const Config& config, const Clock& clock, const HttpRequest& req,
                     const Responder& respond);
// 503 with Retry-After: come back in a second, nothing was written.
HttpResponse busy_response();

}  // namespace muster::slack
