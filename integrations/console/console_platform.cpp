#include "integrations/console/console_platform.h"

#include "bot/domain/channel_name.h"
#include "bot/messages/incident_messages.h"
#include "bot/runtime/outbox_worker.h"
#include "integrations/console/console_sink.h"

namespace muster {

namespace {

QueuedOp console_op(const Incident& inc, const std::string& channel, const MessageSpec& spec,
                    EpochMs at, int priority = kChatPriority) {
    QueuedOp op;
    op.incident_id = inc.id;
    op.destination = "console";
    op.queue = "console:" + channel;
    op.kind = spec.purpose;
    op.payload = with_message({{"channel", channel}}, message_payload(spec, inc, at));
    op.priority = priority;
    return op;
}

const Incident* incident_of(const Notification& n) {
    if (const auto* d = std::get_if<Declared>(&n)) return &d->incident;
    if (const auto* u = std::get_if<StatusUpdated>(&n)) return &u->incident;
    if (const auto* r = std::get_if<Resolved>(&n)) return &r->incident;
    if (const auto* m = std::get_if<Reminder>(&n)) return &m->incident;
    if (const auto* a = std::get_if<AlertsChanged>(&n)) return &a->incident;
    return nullptr;
}

}  // namespace

std::optional<ChannelBinding> ConsoleChat::open_channel_now(const Incident& inc, EpochMs now,
                                                            std::vector<ChannelSuffix>& suffixes) {
    const ChannelNameInput in{config_.slack.channel_name_pattern, inc.title, inc.id, inc.severity,
                              inc.declared_at};
    const std::string base = channel_name(in);
    int k = sequences_.next_channel_suffix("console", base);
    std::string name = k <= 1 ? base : channel_name(in, k);
    // Another base name may have produced this numbered one ("x-2" from "x 2"): rare, next.
    // (Were two requests to pick the same name at once, the second commit is refused and
    // decided again.)
    while (name_may_collide(name, k) && reads_.channel_taken(name))
        name = channel_name(in, k = sequences_.next_channel_suffix("console", base));
    suffixes.push_back({"console", base, k});
    return ChannelBinding{name, inc.id, "console", name, true, now};
}

void ConsoleChat::plan(const Notification& n, const std::string&, EpochMs at,
                       std::vector<QueuedOp>& out) const {
    const Incident* inc = incident_of(n);
    if (!inc) return;  // pages are the paging method's; answers go back in the HTTP reply
    for (const auto& spec : messages_for(n, config_)) {
        if (spec.purpose != "announcement") {
            if (!inc->channel.empty()) out.push_back(console_op(*inc, inc->channel, spec, at));
            continue;
        }
        // The announcement, where Slack's would go: the announce channel and the severity's
        // alert channel.
        const std::string announce =
            config_.slack.announce_channel.empty() ? "#incidents" : config_.slack.announce_channel;
        out.push_back(console_op(*inc, announce, spec, at));
        const SeverityDef* sev = config_.severity(inc->severity);
        if (sev && !sev->alert_channel.empty() && sev->alert_channel != announce)
            out.push_back(console_op(*inc, sev->alert_channel, spec, at));
    }
}

void ConsolePaging::plan_page(const PageContact& page, EpochMs at,
                              std::vector<QueuedOp>& out) const {
    const std::string who = page.contact.name.empty() ? page.contact.key : page.contact.name;
    for (const auto& spec : messages_for(page, config_))
        out.push_back(console_op(page.incident, "page → " + who, spec, at, kPagePriority));
}

void install_console(PluginContext& ctx, std::ostream& out) {
    if (!ctx.config.console_enabled()) return;
    if (ctx.sequences && ctx.reads)
        ctx.dispatch.add(std::make_shared<ConsoleChat>(ctx.config, *ctx.sequences, *ctx.reads));
    ctx.dispatch.add(std::make_shared<ConsolePaging>(ctx.config));
    if (ctx.outbox && ctx.messages)
        ctx.outbox->add_deliverer("console", std::make_shared<ConsoleSink>(out, *ctx.messages));
}

}  // namespace muster
