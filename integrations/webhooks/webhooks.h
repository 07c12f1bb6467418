// What every inbound alert webhook shares (PagerDuty, Alertmanager, Grafana, heartbeats): the
// answer for each outcome (202 once recorded; 503 with Retry-After when it could not be, never a
// 4xx that a sender would drop the delivery for), a constant-time bearer-token check, and text
// decoded once at intake (PROTOCOLS §6–8; README "Decisions").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bot/domain/alert.h"
#include "bot/runtime/alert_runner.h"
#include "bot/server/http_server.h"

namespace muster::webhooks {

// recorded, duplicate → 202 {"status":"ok"}; busy, failed → 503, Retry-After: 5.
HttpResponse answer(AlertOutcome outcome);
// 401 with `why` as the body, and the rejection noted in the log by its path (RejectionLog: the
// first per path each minute, then a count). Only for routes with a fixed set of paths.
HttpResponse unauthorized(const HttpRequest& req, const std::string& why);
HttpResponse bad_request(const std::string& why);

// `Authorization: Bearer <token>`, compared in constant time. An empty token never matches.
bool bearer_ok(const HttpRequest& req, const std::string& token);

// Text as stored: one line for a title or summary (at most 2,000 characters), several for a
// note or description (at most 20,000), labels up to 500 characters each and 64 of them.
std::string one_line(const std::string& s);
std::string several_lines(const std::string& s);
Labels read_labels(const nlohmann::json* object);

}  // namespace muster::webhooks
