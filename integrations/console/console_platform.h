// The console chat platform: with no Slack or Teams configured (or chat.console: true), every
// message the bot would post is printed readably, so a newcomer sees the whole incident flow with
// only curl. It "creates" the incident channel at once, named like Slack's
// (slack.channel_name_pattern), so the flow can go on inside it; and it is a paging method that
// reaches every contact (the page is printed).
#pragma once

#include <ostream>

#include "bot/runtime/plugin_context.h"
#include "bot/runtime/plugins.h"

namespace muster {

class ConsoleChat final : public ChatPlatform {
  public:
    ConsoleChat(const Config& config, Sequences& sequences, IncidentReads& reads)
        : config_(config), sequences_(sequences), reads_(reads) {}
    std::string name() const override { return "console"; }
    // A name already used (the same title in the same minute, or a pattern without {slug}) gets
    // "-2", "-3", … starting after the last number that base name had: one lookup, not one per
    // earlier collision.
    std::optional<ChannelBinding> open_channel_now(const Incident& inc, EpochMs now,
                                                   std::vector<ChannelSuffix>& suffixes) override;
    void plan(const Notification& n, const std::string& source, EpochMs at,
              std::vector<QueuedOp>& out) const override;

  private:
    const Config& config_;
    Sequences& sequences_;
    IncidentReads& reads_;
};

class ConsolePaging final : public PagingMethod {
  public:
    explicit ConsolePaging(const Config& config) : config_(config) {}
    std::string name() const override { return "console"; }
    bool reaches(const Contact&) const override { return true; }
    void plan_page(const PageContact& page, EpochMs at, std::vector<QueuedOp>& out) const override;

  private:
    const Config& config_;
};

// Registers the console (when chat.console is on, or no platform is configured): platform,
// paging method, and the deliverer that prints to `out`.
void install_console(PluginContext& ctx, std::ostream& out);

}  // namespace muster
