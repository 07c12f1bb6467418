// Prometheus Alertmanager's webhook in (PROTOCOLS §7): `POST /webhooks/alertmanager` with the
// configured bearer token, notification version 4. One notification is the current state of one
// group (groupKey): each alert by its fingerprint, firing or resolved on its own, whatever the
// notification's top-level status says. Grafana's webhook has the same shape (version 1, plus a
// title and message): integrations/grafana reads it with read_alert_notification too.
#pragma once

#include <string>
#include <variant>

#include "bot/domain/alert.h"
#include "bot/runtime/plugin_context.h"

namespace muster::alertmanager {

struct NotificationError {
    std::string reason;
};
// Reads a notification of `source` ("alertmanager" or "grafana") whose "version" must be
// `version`. Alerts without a fingerprint get one from their sorted labels (never from their
// summary). At most 10,000 alerts per notification; text decoded once.
std::variant<AlertGroup, NotificationError> read_alert_notification(const std::string& body,
                                                                    const std::string& source,
                                                                    const std::string& version,
                                                                    EpochMs now);

void install_alertmanager(PluginContext& ctx);

}  // namespace muster::alertmanager
