#include "bot/runtime/dispatch.h"

namespace muster {

void Dispatch::add(std::shared_ptr<ChatPlatform> platform) {
    platforms_.push_back(std::move(platform));
}

void Dispatch::add(std::shared_ptr<PagingMethod> method) {
    methods_.push_back(std::move(method));
}

void Dispatch::expand(Effects& fx) const {
    for (const Notification& n : fx.notifications) {
        if (const auto* page = std::get_if<PageContact>(&n)) {
            for (const auto& m : methods_)
                if (m->reaches(page->contact)) m->plan_page(*page, fx.at, fx.outbox);
            continue;
        }
        if (const auto* follow = std::get_if<PageFollowUp>(&n)) {
            for (const auto& m : methods_)
                if (m->reaches(follow->contact))
                    m->plan_follow_up(*follow, fx.source, fx.at, fx.outbox);
            continue;
        }
        for (const auto& p : platforms_) p->plan(n, fx.source, fx.at, fx.outbox);
    }
    fx.notifications.clear();
}

std::string Dispatch::methods_for(const Contact& contact) const {
    std::string out;
    for (const auto& m : methods_)
        if (m->reaches(contact)) out += (out.empty() ? "" : " ") + m->name();
    return out;
}

void Dispatch::open_channels_now(const Incident& incident, EpochMs now, Effects& out) {
    for (const auto& p : platforms_)
        if (auto binding = p->open_channel_now(incident, now, out.suffixes))
            out.channels.push_back(*binding);
}

bool Dispatch::opens_channels_later() const {
    for (const auto& p : platforms_)
        if (p->opens_channel_later()) return true;
    return false;
}

std::vector<std::string> Dispatch::warnings(const Config& config) const {
    std::vector<std::string> out;
    for (const auto& [sev, levels] : config.escalation.policies)
        for (std::size_t i = 0; i < levels.size(); ++i)
            for (const auto& who : levels[i].notify) {
                const auto c = config.contacts.find(who);
                if (c != config.contacts.end() && methods_for(c->second).empty())
                    out.push_back("escalation.policies." + sev + "[" + std::to_string(i) +
                                  "]: contact '" + who +
                                  "' has no way to be paged here (set pagerduty_routing_key, or "
                                  "slack_user with Slack configured)");
            }
    return out;
}

}  // namespace muster
