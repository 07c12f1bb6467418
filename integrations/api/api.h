// The read API for operators and scripts (issue 10; SPEC §4): GET /api/v1/incidents (a page of
// the listing), /api/v1/incidents/{id}, /{id}/timeline, /{id}/pir?format=markdown|html|json and
// /api/v1/reports. Every route needs `Authorization: Bearer <server.api_token>` (401 without it,
// and when no token is configured); the PIR also opens from a signed link that chat hands out
// (`/incident export` with server.public_url set), valid for 24 hours.
//
// Documents are built on one worker thread of their own, never on the HTTP threads that answer
// Slack: at most 16 requests wait for it, beyond that the answer is 503 with Retry-After.
#pragma once

#include <memory>
#include <string>

#include "bot/config/config.h"
#include "bot/domain/clock.h"
#include "bot/messages/templates.h"
#include "bot/service/ports.h"

namespace muster {
class Router;
}

namespace muster::api {

// How long a signed PIR link stays valid.
constexpr EpochMs kLinkValidMs = 24LL * 3'600'000;

// "<public_url>/api/v1/incidents/<id>/pir?format=<format>&expires=<unix s>&signature=<hex>",
// HMAC-SHA256 with server.api_token over "pir|<id>|<format>|<expires>". Empty when either
// server.public_url or server.api_token is not set.
std::string pir_link(const Config& config, const std::string& id, const std::string& format,
                     EpochMs now);

class Api {
  public:
    virtual ~Api() = default;
};

// Registers the routes; the returned object owns the worker and must outlive the server.
std::unique_ptr<Api> install_api(const Config& config, const Clock& clock, Router& router,
                                 IncidentReads& reads, ReportReads& report_reads,
                                 const Templates& templates);

}  // namespace muster::api
