// libFuzzer target: a verified alert webhook body, as PagerDuty (Webhooks V3), Alertmanager (v4)
// and Grafana (v1) send it. Whatever comes in, what comes out is valid UTF-8 and a summary or
// title stays on one line.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/domain/text.h"
#include "integrations/alertmanager/webhook.h"
#include "integrations/pagerduty/webhooks.h"

namespace {
void check_line(const std::string& s) {
    if (!muster::is_valid_utf8(s) || s.find('\n') != std::string::npos) std::abort();
}
void check(const muster::AlertGroup& g) {
    check_line(g.title);
    for (const auto& a : g.alerts) {
        check_line(a.summary);
        check_line(a.fingerprint);
        for (const auto& [k, v] : a.labels) {
            check_line(k);
            check_line(v);
        }
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    static const muster::Config config = muster::default_config();
    const auto pd = muster::pagerduty::read_webhook(config, body, 1);
    if (const auto* e = std::get_if<muster::pagerduty::WebhookEvent>(&pd)) {
        if (e->opened) check(*e->opened);
        if (e->action && !muster::is_valid_utf8(e->action->text)) std::abort();
    }
    for (const auto& [source, version] :
         {std::pair<std::string, std::string>{"alertmanager", "4"}, {"grafana", "1"}}) {
        const auto n = muster::alertmanager::read_alert_notification(body, source, version, 1);
        if (const auto* g = std::get_if<muster::AlertGroup>(&n)) check(*g);
    }
    return 0;
}
