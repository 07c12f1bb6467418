#include "commands/command_runner.h"

#include <spdlog/spdlog.h>

#include <memory>

namespace muster {

namespace {
// Thrown inside the write job so a refused command's savepoint rolls back: whatever a handler
// might have touched, a refusal leaves the database as it was.
struct Refused {
    Reply reply;
};
}  // namespace

bool CommandRunner::run(const Command& cmd, const Actor& actor,
                        std::function<void(const Reply&)> done) const {
    const EpochMs now = clock_.now_ms();
    auto reply = std::make_shared<Reply>();
    const CommandHandlers& handlers = handlers_;
    return writer_.submit(
        [&handlers, cmd, actor, now, reply](SQLite::Database& db) {
            *reply = handlers.execute(db, cmd, actor, now);
            if (reply->error) throw Refused{*reply};
        },
        [done, reply, cmd, actor](std::exception_ptr e) {
            if (!e) {
                spdlog::info("{}: /incident {} by {} in {}", actor.platform, verb_name(cmd.verb),
                             actor.user_id, actor.channel_id);
                done(*reply);
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const Refused& r) {
                done(r.reply);
                return;
            } catch (const std::exception& ex) {
                spdlog::error("{}: /incident {} by {} not saved: {}", actor.platform,
                              verb_name(cmd.verb), actor.user_id, ex.what());
            } catch (...) {
                spdlog::error("{}: /incident {} by {} not saved", actor.platform,
                              verb_name(cmd.verb), actor.user_id);
            }
            done(
                refusal("⚠️ Muster could not save that just now (storage error); nothing was "
                        "changed. Please try again."));
        });
}

}  // namespace muster
