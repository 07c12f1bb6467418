#include "bot/service/escalation.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "bot/domain/duration.h"
#include "bot/service/escalation_plan.h"

namespace muster {

namespace {

TimelineEvent system_event(const Incident& inc, EpochMs now, const std::string& type,
                           const std::string& text, const std::string& actor = "muster") {
    TimelineEvent e;
    e.incident_id = inc.id;
    e.at = now;
    e.type = type;
    e.actor = actor;
    e.source = "system";
    e.text = text;
    return e;
}

Timer simple_timer(const Incident& inc, const std::string& kind, const std::string& key,
                   EpochMs due_at, const std::string& payload = "{}") {
    Timer t;
    t.incident_id = inc.id;
    t.kind = kind;
    t.key = key;
    t.due_at = due_at;
    t.payload = payload;
    return t;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string page_dedup_key(const std::string& incident_id, const std::string& contact) {
    return "muster:" + incident_id + ":" + contact;
}

Escalation::Escalation(const Config& config, const Platforms& platforms)
    : config_(config), platforms_(platforms) {}

const std::vector<EscalationLevel>* Escalation::policy(const Incident& inc) const {
    // PagerDuty pages for the incidents it opened, unless told to leave that to Muster too.
    if (inc.source == "pagerduty" && config_.pagerduty.paging == "pagerduty") return nullptr;
    const auto it = config_.escalation.policies.find(inc.severity);
    return it == config_.escalation.policies.end() ? nullptr : &it->second;
}

void Escalation::cancel(const IncidentState& s, const std::string& kind, Effects& fx) const {
    for (const Timer* t : s.pending(kind)) fx.cancel.push_back(t->id);
}

void Escalation::schedule_repeat(const Incident& inc, int level, int attempt, EpochMs planned_at,
                                 EpochMs now, Effects& fx) const {
    if (attempt > config_.escalation.repeat_limit || config_.escalation.ack_within_ms <= 0) return;
    fx.schedule.push_back(
        page_timer(inc.id, level, attempt + 1, planned_at, now + config_.escalation.ack_within_ms));
}

void Escalation::on_declared(const IncidentState& s, EpochMs now, Effects& fx) const {
    const Incident& inc = s.incident;
    if (const auto* levels = policy(inc)) {
        // Levels due at once are paged in the declaration itself; the others are timers.
        for (const Timer& t : plan_escalation(*levels, inc, now, 0)) {
            if (t.due_at > now) {
                fx.schedule.push_back(t);
                continue;
            }
            // A higher level paged now replaces the repeats of the lower ones.
            fx.schedule.erase(std::remove_if(fx.schedule.begin(), fx.schedule.end(),
                                             [&](const Timer& r) {
                                                 return r.kind == "page" && r.level < t.level &&
                                                        r.attempt > 1;
                                             }),
                              fx.schedule.end());
            page_level(inc, t.level, 1, "muster", now, fx);
            schedule_repeat(inc, t.level, 1, now, now, fx);
        }
    }
    schedule_status_reminder(s, now, fx);
    if (config_.escalation.ic_nudge_after_ms > 0 && inc.ic.empty())
        fx.schedule.push_back(
            simple_timer(inc, "ic_nudge", "1", now + config_.escalation.ic_nudge_after_ms));
}

void Escalation::schedule_status_reminder(const IncidentState& s, EpochMs now, Effects& fx) const {
    cancel(s, "status_reminder", fx);
    const SeverityDef* sev = config_.severity(s.incident.severity);
    if (!sev || !sev->update_every_ms) return;
    fx.schedule.push_back(simple_timer(s.incident, "status_reminder", std::to_string(now),
                                       now + *sev->update_every_ms));
}

void Escalation::on_status_update(const IncidentState& s, EpochMs now, Effects& fx) const {
    schedule_status_reminder(s, now, fx);
}

void Escalation::on_ic_assigned(const IncidentState& s, Effects& fx) const {
    cancel(s, "ic_nudge", fx);
}

// Every page sent gets its follow-up; each paging method knows whether it has anything to follow
// (PagerDuty: the alert of that dedup_key), and a follow-up for a trigger that never went out is
// dropped by PagerDuty.
void Escalation::follow_pages(const IncidentState& s, const std::string& action,
                              Effects& fx) const {
    std::set<std::pair<std::string, std::string>> done;
    for (const auto& p : s.pages) {
        if (!done.insert({p.contact, p.dedup_key}).second) continue;
        Contact c;
        if (const auto it = config_.contacts.find(p.contact); it != config_.contacts.end())
            c = it->second;
        else
            c.key = p.contact;  // a person paged by mention: reached by DM, nothing to follow
        fx.notifications.push_back(PageFollowUp{s.incident.id, c, p.dedup_key, action});
    }
}

// Pages already queued but not yet out (PagerDuty or Slack down, a rate limit) would wake someone
// for an incident that is handled: withdrawn in the same transaction.
void Escalation::withdraw_queued_pages(const Incident& inc, const Actor& actor, EpochMs now,
                                       const std::string& why, Effects& fx) const {
    fx.withdrawals.push_back({inc.id, "page", why, actor.user_id, now});
}

void Escalation::on_acknowledged(const IncidentState& s, const Actor& actor, EpochMs now,
                                 Effects& fx) const {
    const std::size_t before = fx.cancel.size();
    cancel(s, "page", fx);
    const std::size_t cancelled = fx.cancel.size() - before;
    if (cancelled > 0)
        fx.timeline.push_back(system_event(
            s.incident, now, "pages_cancelled",
            std::to_string(cancelled) + " pending page(s) cancelled: acknowledged", actor.user_id));
    withdraw_queued_pages(s.incident, actor, now, "acknowledged", fx);
    follow_pages(s, "acknowledge", fx);
}

void Escalation::on_resolved(const IncidentState& s, const Actor& actor, EpochMs now,
                             Effects& fx) const {
    const Incident& inc = s.incident;
    const std::size_t before = fx.cancel.size();
    cancel(s, "", fx);
    const std::size_t cancelled = fx.cancel.size() - before;
    if (cancelled > 0)
        fx.timeline.push_back(system_event(
            inc, now, "timers_cancelled",
            std::to_string(cancelled) + " pending page(s) and reminder(s) cancelled: resolved",
            actor.user_id));
    withdraw_queued_pages(inc, actor, now, "resolved", fx);
    follow_pages(s, "resolve", fx);
    const SeverityDef* sev = config_.severity(inc.severity);
    if (!sev || !sev->review_within_ms) return;  // this severity needs no review
    if (inc.declined) return;                    // not an incident: nothing to review
    const std::int64_t review_within = *sev->review_within_ms;
    // One review per incident: resolved again after a reopen, it keeps the first action item (and
    // its reminder counts from this resolution).
    if (!s.has_review_item) {
        ActionItem a;
        a.incident_id = inc.id;
        a.number = s.action_items + 1;
        a.text = "Post-incident review";
        a.owner = inc.ic;
        const UtcTime due = to_utc(now + review_within);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", due.year, due.month, due.day);
        a.due = std::string(buf);
        a.created_at = now;
        a.created_by = "muster";
        fx.action_items.push_back(a);
    }
    fx.schedule.push_back(
        simple_timer(inc, "pir_reminder", std::to_string(now), now + review_within,
                     nlohmann::json({{"review_within_ms", review_within}}).dump()));
}

void Escalation::on_reopened(const IncidentState& s, EpochMs now, Effects& fx) const {
    // The team is already engaged: reopening restarts the reminders, not the paging. The review
    // reminder waits for the next resolution.
    cancel(s, "pir_reminder", fx);
    schedule_status_reminder(s, now, fx);
}

void Escalation::on_severity_changed(const IncidentState& s, EpochMs now, Effects& fx) const {
    const Incident& inc = s.incident;
    schedule_status_reminder(s, now, fx);
    if (inc.status == Status::resolved) return;
    if (inc.acknowledged_at) {  // acknowledged: nobody gets paged any more
        cancel(s, "page", fx);
        return;
    }
    // Levels already paged stay paged, and the level being chased (the highest paged) keeps
    // being re-paged every ack_within until someone acknowledges: its pending repeat stays. The
    // old plan's later levels are replaced by the new policy's, counting from now.
    const int paged = s.highest_paged_level();
    int cancelled = 0;
    for (const Timer* t : s.pending("page"))
        if (!(t->level == paged && t->attempt > 1)) {
            fx.cancel.push_back(t->id);
            ++cancelled;
        }
    if (const auto* levels = policy(inc))
        for (const Timer& t : plan_escalation(*levels, inc, now, paged)) {
            if (t.due_at > now) {
                fx.schedule.push_back(t);
                continue;
            }
            page_level(inc, t.level, 1, "muster", now, fx);
            schedule_repeat(inc, t.level, 1, now, now, fx);
        }
    fx.timeline.push_back(system_event(
        inc, now, "escalation_replanned",
        "Escalation re-planned for " + inc.severity + " from now (" + std::to_string(cancelled) +
            " pending page(s) replaced; levels above " + std::to_string(paged) +
            " follow the new policy" +
            (paged > 0
                 ? "; level " + std::to_string(paged) + " is re-paged until someone acknowledges"
                 : std::string()) +
            ")"));
}

void Escalation::page_contact(const Incident& inc, const Contact& c, int level, int attempt,
                              const std::string& by, EpochMs now, Effects& fx) const {
    const std::string methods = platforms_.methods_for(c);
    // Planned pages and their repeats share one PagerDuty alert per contact (a repeat while it is
    // open is folded into it; PagerDuty's own escalation re-notifies). A page by hand is someone
    // asking for a person now, so it opens an alert of its own, even after an acknowledge.
    const bool by_hand = attempt >= kFirstHandAttempt;
    const std::string key =
        page_dedup_key(inc.id, c.key) +
        (by_hand ? ":hand-" + (level > 0 ? "L" + std::to_string(level) + "-" : std::string()) +
                       std::to_string(attempt - kFirstHandAttempt + 1)
                 : "");
    fx.pages.push_back({inc.id, level, attempt, c.key, key, methods, now});
    std::string reason = level > 0 ? "level " + std::to_string(level) : "";
    if (!by_hand && attempt > 1) reason += ", reminder " + std::to_string(attempt - 1);
    if (by_hand) reason += std::string(reason.empty() ? "" : ", ") + "paged by hand";
    fx.notifications.push_back(PageContact{inc, c, level, attempt, key, reason});
    TimelineEvent e = system_event(
        inc, now, "page_sent",
        "Paged " + (c.name.empty() ? c.key : c.name) + " (level " + std::to_string(level) +
            (by_hand ? ", by hand"
                     : (attempt > 1 ? ", repeat " + std::to_string(attempt - 1) : "")) +
            ") via " +
            (methods.empty() ? std::string("nothing: the contact has no method") : methods),
        by);
    e.data = nlohmann::json({{"contact", c.key},
                             {"level", level},
                             {"attempt", attempt},
                             {"methods", methods},
                             {"dedup_key", key}})
                 .dump();
    fx.timeline.push_back(e);
}

void Escalation::page_level(const Incident& inc, int level, int attempt, const std::string& by,
                            EpochMs now, Effects& fx) const {
    const auto* levels = policy(inc);
    if (!levels || level < 1 || level > static_cast<int>(levels->size())) return;
    for (const auto& who : (*levels)[static_cast<std::size_t>(level) - 1].notify) {
        const auto c = config_.contacts.find(who);
        if (c != config_.contacts.end()) page_contact(inc, c->second, level, attempt, by, now, fx);
    }
}

void Escalation::fire(const IncidentState& s, const Timer& t, EpochMs now, Effects& fx) const {
    const Incident& inc = s.incident;
    if (t.kind == "page") {
        if (t.level < 1 || t.attempt < 1)
            throw std::runtime_error("the page timer names no level (payload " + t.payload + ")");
        if (inc.acknowledged_at || inc.status == Status::resolved) return;
        // A higher level firing replaces the repeats of the lower ones.
        if (t.attempt == 1)
            for (const Timer* r : s.pending("page"))
                if (r->id != t.id && r->level < t.level && r->attempt > 1)
                    fx.cancel.push_back(r->id);
        page_level(inc, t.level, t.attempt, "muster", now, fx);
        const auto at = t.key.find('@');
        const EpochMs planned_at = at == std::string::npos ? now : std::stoll(t.key.substr(at + 1));
        schedule_repeat(inc, t.level, t.attempt, planned_at, now, fx);
    } else if (t.kind == "status_reminder") {
        if (inc.status == Status::resolved) return;
        fx.notifications.push_back(
            Reminder{inc, "Status update due",
                     (inc.ic.empty() ? std::string("Nobody is IC") : "@" + inc.ic) +
                         ": no update for a while. Post one with /incident update <status> <what "
                         "we know>."});
        fx.timeline.push_back(system_event(inc, now, "reminder", "Status update reminder"));
        IncidentState rest = s;  // this reminder is consumed; the next one counts from now
        rest.pending_timers.erase(
            std::remove_if(rest.pending_timers.begin(), rest.pending_timers.end(),
                           [&](const Timer& p) { return p.id == t.id; }),
            rest.pending_timers.end());
        schedule_status_reminder(rest, now, fx);
    } else if (t.kind == "ic_nudge") {
        if (!inc.ic.empty() || inc.status == Status::resolved) return;
        fx.notifications.push_back(
            Reminder{inc, "No incident commander yet",
                     "Someone please take it: /incident role ic me (or press I'm IC)."});
        fx.timeline.push_back(system_event(inc, now, "reminder", "No IC assigned"));
    } else if (t.kind == "pir_reminder") {
        const auto p = nlohmann::json::parse(t.payload, nullptr, false);
        const std::int64_t within =
            p.is_object() && p.contains("review_within_ms") && p["review_within_ms"].is_number()
                ? p["review_within_ms"].get<std::int64_t>()
                : 0;
        fx.notifications.push_back(
            Reminder{inc, "Post-incident review due",
                     "The review of this " + inc.severity + " is due now" +
                         (within > 0 ? " (" + format_duration_config(within) + " after resolution)."
                                     : ".")});
        fx.timeline.push_back(system_event(inc, now, "reminder", "Post-incident review due"));
    }
}

std::optional<std::string> Escalation::page_now(const IncidentState& s, const std::string& target,
                                                const std::string& user, const Actor& actor,
                                                EpochMs now, Effects& fx,
                                                std::string& error) const {
    const Incident& inc = s.incident;
    if (inc.status == Status::resolved) {
        error = inc.id + " is resolved; reopen it before paging anyone.";
        return std::nullopt;
    }
    const auto* levels = policy(inc);
    const int level_count = levels ? static_cast<int>(levels->size()) : 0;
    Contact who;
    if (!user.empty()) {
        // A mention: that person, by DM.
        who.key = user;
        who.name = "@" + user;
        who.slack_user = user;
    } else if (const auto level = parse_level_target(target)) {
        if (*level < 1 || *level > level_count) {
            error = inc.severity + " has " + std::to_string(level_count) +
                    " escalation level(s); " + page_targets(inc);
            return std::nullopt;
        }
        const int attempt = s.next_hand_attempt(*level, "");
        for (const auto& key : (*levels)[static_cast<std::size_t>(*level) - 1].notify) {
            const auto c = config_.contacts.find(key);
            if (c != config_.contacts.end())
                page_contact(inc, c->second, *level, attempt, actor.user_id, now, fx);
        }
        return "📟 Paging level " + std::to_string(*level) + " of " + inc.id + " now.";
    } else if (const Contact* c = find_contact(target)) {
        who = *c;
    } else {
        // Never guess: a word that is no level, contact or mention pages nobody.
        error = "'" + target + "' is not a level, a contact or a @user. " + page_targets(inc);
        return std::nullopt;
    }
    const std::string name = who.name.empty() ? who.key : who.name;
    if (platforms_.methods_for(who).empty()) {
        // Saying "paging" and reaching nobody is the worst answer at 3 a.m.
        error = "Nothing would reach " + name +
                ": no PagerDuty routing key and no Slack user for them here. " + page_targets(inc);
        return std::nullopt;
    }
    page_contact(inc, who, 0, s.next_hand_attempt(0, who.key), actor.user_id, now, fx);
    return "📟 Paging " + name + " for " + inc.id + " now.";
}

std::optional<int> Escalation::parse_level_target(const std::string& target) {
    std::string t = lower(target);
    for (const char* prefix : {"level", "l"})
        if (t.rfind(prefix, 0) == 0) {
            t = t.substr(std::string(prefix).size());
            break;
        }
    if (t.empty() || t.size() > 3 || t.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoi(t);
}

const Contact* Escalation::find_contact(const std::string& key) const {
    if (const auto c = config_.contacts.find(key); c != config_.contacts.end()) return &c->second;
    for (const auto& [k, c] : config_.contacts)
        if (lower(k) == lower(key)) return &c;
    return nullptr;
}

std::string Escalation::page_targets(const Incident& inc) const {
    const auto* levels = policy(inc);
    std::string s = "You can page ";
    if (levels && !levels->empty())
        s += "a level of " + inc.severity + " (1" +
             (levels->size() > 1 ? "–" + std::to_string(levels->size()) : std::string()) +
             ", e.g. `L2`), ";
    std::string contacts;
    for (const auto& [key, c] : config_.contacts)
        if (!platforms_.methods_for(c).empty()) contacts += (contacts.empty() ? "" : ", ") + key;
    if (!contacts.empty()) s += "a contact (" + contacts + "), ";
    return s + "or someone mentioned as @user.";
}

}  // namespace muster
