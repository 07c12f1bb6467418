#include "commands/command_runner.h"

#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "bot/message.h"

namespace muster {

namespace {
// Thrown inside the write job so a refused command's savepoint rolls back: whatever a handler
// might have touched, a refusal leaves the database as it was.
struct Refused {
    Reply reply;
};

std::optional<Reply> answered_before(SQLite::Database& db, const std::string& key) {
    SQLite::Statement q(db,
                        "SELECT reply FROM inbound_dedupe WHERE source = 'command' AND key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    const auto j = nlohmann::json::parse(q.getColumn(0).getString(), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return Reply{j.value("in_channel", false), j.value("text", ""), j.value("error", false)};
}

void remember_answer(SQLite::Database& db, const std::string& key, const Reply& r, EpochMs now) {
    SQLite::Statement st(db,
                         "INSERT INTO inbound_dedupe (source, key, received_at, reply) VALUES "
                         "('command', ?, ?, ?)");
    st.bind(1, key);
    st.bind(2, static_cast<int64_t>(now));
    st.bind(3, dump_json({{"in_channel", r.in_channel}, {"text", r.text}, {"error", r.error}}));
    st.exec();
}
}  // namespace

bool CommandRunner::run(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
                        std::function<void(const Reply&)> done) const {
    const EpochMs now = clock_.now_ms();
    auto reply = std::make_shared<Reply>();
    const CommandHandlers& handlers = handlers_;
    return writer_.submit(
        [&handlers, cmd, actor, dedupe_key, now, reply](SQLite::Database& db) {
            if (!dedupe_key.empty())
                if (auto first = answered_before(db, dedupe_key)) {
                    *reply = *first;  // a retried delivery: the first answer, nothing written
                    return;
                }
            *reply = handlers.execute(db, cmd, actor, now);
            if (reply->error) throw Refused{*reply};
            if (!dedupe_key.empty()) remember_answer(db, dedupe_key, *reply, now);
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
