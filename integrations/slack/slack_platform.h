// Slack as a chat platform and as a paging method (PROTOCOLS §4). As a platform it plans, for each
// notification, the operations that carry it out in Slack, in one ordered queue per incident so
// the channel exists before anything is posted in it: create the incident channel (named by
// slack.channel_name_pattern), invite, set the topic, post and pin the declaration, announce it
// in the announce channel and the severity's alert channel, and keep those headlines and the topic
// current with every change. As a paging method it DMs a contact who has a slack_user, with an
// Acknowledge button. Everything is rendered when delivered (slack_deliverer.h).
#pragma once

#include "bot/runtime/plugin_context.h"
#include "bot/runtime/plugins.h"

namespace muster::slack {

class SlackChat final : public ChatPlatform {
  public:
    explicit SlackChat(const Config& config) : config_(config) {}
    std::string name() const override { return "slack"; }
    bool opens_channel_later() const override { return true; }
    void plan(const Notification& n, const std::string& source, EpochMs at,
              std::vector<QueuedOp>& out) const override;

  private:
    void declared(const Declared& d, EpochMs at, std::vector<QueuedOp>& out) const;
    void headline(const Incident& inc, EpochMs at, std::vector<QueuedOp>& out) const;
    const Config& config_;
};

class SlackDm final : public PagingMethod {
  public:
    explicit SlackDm(const Config& config) : config_(config) {}
    std::string name() const override { return "slack"; }
    bool reaches(const Contact& c) const override { return !c.slack_user.empty(); }
    void plan_page(const PageContact& page, EpochMs at, std::vector<QueuedOp>& out) const override;

  private:
    const Config& config_;
};

// The queue of a shared channel's announcements ("slack:channel:" + the configured channel):
// every incident's announcement to that channel waits in it, in order.
constexpr const char* kSharedChannelQueue = "slack:channel:";
std::string shared_channel_queue(const std::string& channel);

// Slack's "<severity> · <status> · IC · <title>" line, at most 250 characters (setTopic's
// limit), the title cut before it is escaped.
std::string topic(const Config& config, const Incident& inc);

// Registers Slack when slack.bot_token is set: the platform, the DM paging method, the deliverer
// and the three inbound routes (/slack/commands, /slack/interactions, /slack/events). The routes
// exist without a bot token too: a slash command can run against the console.
void install_slack(PluginContext& ctx);

}  // namespace muster::slack
