// PagerDuty Webhooks V3 in (PROTOCOLS §6): `POST /webhooks/pagerduty`. The signature is
// checked against every configured secret (rotation), the event read, and mapped to neutral
// terms for the alert runner: incident.triggered opens (or, for a page Muster sent itself,
// links) an incident; acknowledged, resolved, reopened and priority_updated change it; the
// other incident events (escalated, reassigned, delegated, annotated, responder.*,
// status_update_published, unacknowledged) reach its timeline. pagey.ping and event types Muster
// does not know are answered 202 and recorded. Every delivery is deduplicated on X-Webhook-Id
// and on event.id (PagerDuty retries for up to 48 hours).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/config/config.h"
#include "bot/domain/alert.h"
#include "bot/runtime/plugin_context.h"

namespace muster::pagerduty {

enum class WebhookSignature { ok, missing, malformed, mismatch };
// `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`: valid when any v1 entry is the HMAC-SHA256 of
// the raw body under any of `secrets` (constant time). Entries of other versions are ignored; a
// header with no v1 entry at all is `malformed`, so is a v1 entry that is not 64 hex digits.
WebhookSignature check_signature(const std::vector<std::string>& secrets, const std::string& header,
                                 const std::string& body);
// v1=<hex> for a body (tests and the benchmark sign as PagerDuty does).
std::string signature(const std::string& secret, const std::string& body);

// One webhook, read and mapped.
struct WebhookEvent {
    std::string id, type;                // event.id, event.event_type
    std::optional<AlertGroup> opened;    // incident.triggered from PagerDuty's own alerting
    std::optional<SourceAction> action;  // everything that changes or annotates an incident
    std::string own_incident;            // triggered by Muster's own page: our incident's id
    std::string pagerduty_incident;      // the PagerDuty incident the event is about
};
struct WebhookError {
    std::string reason;
};
// Reads the body (depth-limited JSON, fields typed as documented); `now` for a missing
// occurred_at. Text is decoded once here.
std::variant<WebhookEvent, WebhookError> read_webhook(const Config& config, const std::string& body,
                                                      EpochMs now);

// The routes (in serve: one line, with install_pagerduty).
void install_pagerduty_webhooks(PluginContext& ctx);

}  // namespace muster::pagerduty
