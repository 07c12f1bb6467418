#include "tests/support/core_world.h"

#include <future>

#include "bot/runtime/plugin_context.h"
#include "integrations/console/console_platform.h"
#include "integrations/pagerduty/events_api.h"
#include "integrations/slack/slack_platform.h"

namespace muster::test {

CoreWorld::CoreWorld(Config c, EpochMs start) : cfg(std::move(c)), clock(start) {
    StorageOptions o;
    o.path = db();
    o.clock = &clock;
    storage = open_sqlite_storage(o);
}

CoreWorld::~CoreWorld() {
    timers_.reset();
    if (storage) storage->stop();
}

void CoreWorld::rewire() {
    timers_.reset();
    intake_.reset();
    handlers_.reset();
    service_.reset();
    messages_ = std::make_unique<IncidentMessages>(cfg, templates);
    dispatch_ = std::make_unique<Dispatch>();
    PluginContext ctx{cfg,           clock,         *dispatch_,     storage.get(),
                      storage.get(), storage.get(), messages_.get()};
    install_console(ctx, console_);
    slack::install_slack(ctx);
    pagerduty::install_pagerduty(ctx);
    service_ = std::make_unique<IncidentService>(cfg, *dispatch_, *storage);
    handlers_ = std::make_unique<CommandHandlers>(cfg, *storage, *service_, *dispatch_);
    intake_ =
        std::make_unique<Intake>(*handlers_, *service_, *storage, *storage, *dispatch_, clock, 0);
    timers_ =
        std::make_unique<TimerLoop>(*storage, *storage, *service_, *dispatch_, *storage, clock);
}

Dispatch& CoreWorld::dispatch() {
    rewire();
    return *dispatch_;
}
IncidentService& CoreWorld::service() {
    rewire();
    return *service_;
}
CommandHandlers& CoreWorld::handlers() {
    rewire();
    return *handlers_;
}
Grammar CoreWorld::grammar() {
    return handlers().grammar();
}

Reply CoreWorld::run(const std::string& text, const std::string& user, const std::string& channel) {
    rewire();
    auto parsed = parse_command(text, handlers_->grammar());
    if (auto* e = std::get_if<UsageError>(&parsed)) return refusal(e->text());
    const Actor actor{user, "alice", "slack", channel, ""};
    std::promise<IntakeResult> done;
    intake_->command(std::get<Command>(parsed), actor, "",
                     [&done](IntakeResult r) { done.set_value(r); });
    const IntakeResult r = done.get_future().get();
    if (r.kind == IntakeResult::Kind::busy) return refusal("busy");
    return r.reply;
}

std::size_t CoreWorld::advance_to(EpochMs t) {
    clock.set(t);
    rewire();
    return timers_->run_due();
}

void CoreWorld::restart() {
    timers_.reset();
    intake_.reset();
    handlers_.reset();
    service_.reset();
    storage->stop();
    storage.reset();
    StorageOptions o;
    o.path = db();
    o.clock = &clock;
    storage = open_sqlite_storage(o);
}

int CoreWorld::count(const std::string& sql) {
    SQLite::Database conn(db(), SQLite::OPEN_READONLY, 5000);
    return conn.execAndGet(sql).getInt();
}

}  // namespace muster::test
