#include "bot/runtime/intake.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "bot/domain/untrusted_json.h"

namespace muster {

namespace {
constexpr const char* kCommandSource = "command";
constexpr int kTries = 5;

std::string answer_json(const Reply& r) {
    return nlohmann::json({{"in_channel", r.in_channel}, {"text", r.text}, {"error", r.error}})
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

Reply storage_trouble_reply() {
    return refusal(
        "⚠️ Muster could not save that just now (storage error); nothing was changed. Please "
        "try "
        "again.");
}

Intake::Intake(CommandHandlers& handlers, IncidentService& service, IncidentReads& reads,
               Committer& committer, const Dispatch& dispatch, const Clock& clock,
               EpochMs deadline_ms)
    : handlers_(handlers),
      service_(service),
      reads_(reads),
      committer_(committer),
      dispatch_(dispatch),
      clock_(clock),
      deadline_ms_(deadline_ms) {}

std::optional<Reply> Intake::earlier_answer(const std::string& key) {
    const auto stored = reads_.answer_for(kCommandSource, key);
    if (!stored) return std::nullopt;
    const auto j = parse_untrusted_json(*stored);
    if (!j) return std::nullopt;
    return Reply{json_bool(*j, "in_channel", false), json_string(*j, "text"),
                 json_bool(*j, "error", false)};
}

void Intake::command(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
                     std::function<void(IntakeResult)> done) {
    attempt(cmd, actor, dedupe_key, std::move(done), kTries);
}

void Intake::attempt(const Command& cmd, const Actor& actor, const std::string& dedupe_key,
                     std::function<void(IntakeResult)> done, int tries_left) {
    try {
        if (!dedupe_key.empty())
            if (auto first = earlier_answer(dedupe_key)) {
                done({IntakeResult::Kind::answered, *first});  // a retried delivery
                return;
            }
        const EpochMs now = clock_.now_ms();
        Outcome outcome = handlers_.execute(cmd, actor, now);
        if (!outcome.effects) {
            done({IntakeResult::Kind::answered, outcome.reply});  // a refusal or a read
            return;
        }
        Effects fx = std::move(*outcome.effects);
        if (!dedupe_key.empty())
            fx.dedupe.push_back({kCommandSource, dedupe_key, answer_json(outcome.reply), now});
        dispatch_.expand(fx);
        const Reply reply = outcome.reply;
        const bool queued = committer_.apply(
            std::move(fx),
            [this, cmd, actor, dedupe_key, done, tries_left, reply](Applied applied) {
                switch (applied) {
                    case Applied::ok:
                        spdlog::info("{}: /incident {} by {} in {}", actor.platform,
                                     verb_name(cmd.verb), actor.user_id, actor.channel_id);
                        done({IntakeResult::Kind::answered, reply});
                        return;
                    case Applied::conflict:
                        // Decided on a state that changed meanwhile: decide again.
                        if (tries_left > 1) {
                            attempt(cmd, actor, dedupe_key, done, tries_left - 1);
                            return;
                        }
                        spdlog::error("{}: /incident {} by {}: the incident kept changing",
                                      actor.platform, verb_name(cmd.verb), actor.user_id);
                        done({IntakeResult::Kind::answered, storage_trouble_reply()});
                        return;
                    case Applied::duplicate: {
                        // The same delivery was being saved at the same moment.
                        const auto first = earlier_answer(dedupe_key);
                        done({IntakeResult::Kind::answered, first ? *first : reply});
                        return;
                    }
                    case Applied::busy:
                        done({IntakeResult::Kind::busy, {}});
                        return;
                    case Applied::failed:
                        spdlog::error("{}: /incident {} by {} not saved", actor.platform,
                                      verb_name(cmd.verb), actor.user_id);
                        done({IntakeResult::Kind::answered, storage_trouble_reply()});
                        return;
                }
            },
            deadline(now));
        if (!queued) done({IntakeResult::Kind::busy, {}});
    } catch (const std::exception& e) {
        // A read failed (storage trouble): nothing was written.
        spdlog::error("{}: /incident {} by {}: {}", actor.platform, verb_name(cmd.verb),
                      actor.user_id, e.what());
        done({IntakeResult::Kind::answered, storage_trouble_reply()});
    }
}

void Intake::mark_message(const MarkedMessage& m, std::function<void(bool)> done) {
    try {
        if (reads_.seen(m.platform + "_event", m.event_id) ||
            reads_.seen(m.platform + "_marked_message", m.channel + "/" + m.ts)) {
            done(true);  // a retry, or the same message marked again
            return;
        }
        const auto incident = reads_.incident_for_channel(m.channel);
        if (!incident || reads_.posted_by_muster(m.platform, m.channel, m.ts)) {
            done(true);  // not an incident channel, or our own declaration
            return;
        }
        const auto state = reads_.load(*incident);
        if (!state) {
            done(true);
            return;
        }
        const EpochMs now = clock_.now_ms();
        Decision d = service_.mark_message(state->incident, m, now);
        dispatch_.expand(d.effects);
        if (!committer_.apply(
                std::move(d.effects),
                [done](Applied a) { done(a == Applied::ok || a == Applied::duplicate); },
                deadline(now)))
            done(false);
    } catch (const std::exception& e) {
        spdlog::error("{}: marked message not saved: {}", m.platform, e.what());
        done(false);
    }
}

void Intake::answer_later(const std::string& incident_id, const Actor& actor,
                          const std::string& text) {
    if (actor.response_url.empty()) return;
    Effects fx;
    fx.source = actor.platform;
    fx.at = clock_.now_ms();
    fx.notifications.push_back(
        Answer{incident_id, actor.platform, actor.response_url, text, false});
    dispatch_.expand(fx);
    committer_.apply(std::move(fx), [](Applied) {});
}

}  // namespace muster
