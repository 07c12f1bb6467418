#include "bot/escalation.h"

#include <SQLiteCpp/Statement.h>

#include <cctype>

#include "bot/duration.h"
#include "bot/message.h"
#include "integrations/pagerduty/events_api.h"
#include "storage/incident_store.h"
#include "storage/outbox_store.h"

namespace muster {

namespace {

// Pages by hand (/incident page) number their attempts from here, apart from planned repeats.
const int kFirstHandAttempt = 1001;

// One ordered outbox queue per (incident, contact): a contact's trigger and its acknowledge stay in
// order, and one routing key being throttled (429) never holds back another level's page.
std::string pagerduty_queue(const std::string& incident, const std::string& contact) {
    return "pagerduty:" + incident + ":" + contact;
}

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

int highest_paged_level(SQLite::Database& db, const std::string& incident_id) {
    SQLite::Statement q(db, "SELECT IFNULL(MAX(level), 0) FROM pages WHERE incident_id = ?");
    q.bind(1, incident_id);
    q.executeStep();
    return q.getColumn(0).getInt();
}

std::string level_key(int level, int attempt) {
    return "L" + std::to_string(level) + "." + std::to_string(attempt);
}

}  // namespace

Escalation::Escalation(const Config& config, const IncidentMessages& messages)
    : config_(config), messages_(messages) {}

const std::vector<EscalationLevel>* Escalation::policy(const std::string& severity) const {
    const auto it = config_.escalation.policies.find(severity);
    return it == config_.escalation.policies.end() ? nullptr : &it->second;
}

void Escalation::plan_levels(SQLite::Database& db, const Incident& inc, EpochMs from,
                             int after_level) const {
    const auto* levels = policy(inc.severity);
    if (!levels) return;
    for (std::size_t i = 0; i < levels->size(); ++i) {
        const int level = static_cast<int>(i) + 1;
        if (level <= after_level) continue;
        Timer t;
        t.incident_id = inc.id;
        t.kind = "page";
        t.key = level_key(level, 1) + "@" + std::to_string(from);  // a re-plan gets fresh keys
        t.due_at = from + (*levels)[i].after_ms;
        t.payload = dump_json({{"level", level}, {"attempt", 1}});
        schedule_timer(db, t, from);
    }
}

void Escalation::on_declared(SQLite::Database& db, const Incident& inc, EpochMs now) const {
    plan_levels(db, inc, now, 0);
    schedule_status_reminder(db, inc, now);
    if (config_.escalation.ic_nudge_after_ms > 0 && inc.ic.empty())
        schedule_timer(db,
                       {0, inc.id, "ic_nudge", "1", now + config_.escalation.ic_nudge_after_ms,
                        "{}", "pending"},
                       now);
}

void Escalation::schedule_status_reminder(SQLite::Database& db, const Incident& inc,
                                          EpochMs now) const {
    const SeverityDef* sev = config_.severity(inc.severity);
    cancel_timers(db, inc.id, "status_reminder");
    if (!sev || !sev->update_every_ms) return;
    schedule_timer(db,
                   {0, inc.id, "status_reminder", std::to_string(now), now + *sev->update_every_ms,
                    "{}", "pending"},
                   now);
}

void Escalation::on_status_update(SQLite::Database& db, const Incident& inc, EpochMs now) const {
    schedule_status_reminder(db, inc, now);
}

void Escalation::on_ic_assigned(SQLite::Database& db, const Incident& inc, EpochMs) const {
    cancel_timers(db, inc.id, "ic_nudge");
}

void Escalation::follow_pagerduty(SQLite::Database& db, const Incident& inc,
                                  const std::string& action, EpochMs now) const {
    SQLite::Statement q(db,
                        "SELECT DISTINCT contact, dedup_key FROM pages WHERE incident_id = ? AND "
                        "methods LIKE '%pagerduty%'");
    q.bind(1, inc.id);
    while (q.executeStep()) {
        const std::string contact = q.getColumn(0).getString();
        const auto c = config_.contacts.find(contact);
        if (c == config_.contacts.end() || c->second.pagerduty_routing_key.empty()) continue;
        // Same queue as the contact's triggers, so PagerDuty hears them in order.
        enqueue_outbox(
            db, inc.id, "pagerduty", pagerduty_queue(inc.id, contact), "pagerduty_" + action,
            dump_json({{"contact", contact},
                       {"body", pagerduty::follow_up(c->second.pagerduty_routing_key,
                                                     q.getColumn(1).getString(), action)}}),
            now);
    }
}

// Pages already in the outbox but not yet out (PagerDuty or Slack down, a rate limit) would
// wake someone for an incident that is handled. PagerDuty still hears acknowledge/resolve for
// every page's dedup_key: one that was never triggered is dropped by PagerDuty, and a trigger
// that was in flight at this moment gets its follow-up.
void Escalation::withdraw_queued_pages(SQLite::Database& db, const Incident& inc,
                                       const Actor& actor, EpochMs now,
                                       const std::string& why) const {
    const int withdrawn = withdraw_outbox(db, inc.id, "page", now, why);
    if (withdrawn > 0)
        append_timeline(
            db, system_event(inc, now, "pages_withdrawn",
                             std::to_string(withdrawn) +
                                 " queued page message(s) withdrawn before delivery: " + why,
                             actor.user_id));
}

void Escalation::on_acknowledged(SQLite::Database& db, const Incident& inc, const Actor& actor,
                                 EpochMs now) const {
    const int cancelled = cancel_timers(db, inc.id, "page");
    if (cancelled > 0)
        append_timeline(
            db, system_event(inc, now, "pages_cancelled",
                             std::to_string(cancelled) + " pending page(s) cancelled: acknowledged",
                             actor.user_id));
    withdraw_queued_pages(db, inc, actor, now, "acknowledged");
    follow_pagerduty(db, inc, "acknowledge", now);
}

void Escalation::on_resolved(SQLite::Database& db, const Incident& inc, const Actor& actor,
                             EpochMs now) const {
    const int cancelled = cancel_timers(db, inc.id, "");
    if (cancelled > 0)
        append_timeline(db, system_event(inc, now, "timers_cancelled",
                                         std::to_string(cancelled) +
                                             " pending page(s) and reminder(s) cancelled: resolved",
                                         actor.user_id));
    withdraw_queued_pages(db, inc, actor, now, "resolved");
    follow_pagerduty(db, inc, "resolve", now);
    const SeverityDef* sev = config_.severity(inc.severity);
    if (!sev || !sev->review_within_ms) return;  // this severity needs no review
    const std::int64_t review_within = *sev->review_within_ms;
    // One review per incident: resolved again after a reopen, it keeps the first action item (and
    // its reminder counts from this resolution).
    SQLite::Statement has_review(db,
                                 "SELECT COUNT(*) FROM action_items WHERE incident_id = ? AND "
                                 "created_by = 'muster' AND text = 'Post-incident review'");
    has_review.bind(1, inc.id);
    has_review.executeStep();
    if (has_review.getColumn(0).getInt() == 0) {
        ActionItem a;
        a.incident_id = inc.id;
        a.text = "Post-incident review";
        a.owner = inc.ic;
        const UtcTime due = to_utc(now + review_within);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", due.year, due.month, due.day);
        a.due = std::string(buf);
        a.created_at = now;
        a.created_by = "muster";
        add_action_item(db, a);
    }
    schedule_timer(db,
                   {0, inc.id, "pir_reminder", std::to_string(now), now + review_within,
                    dump_json({{"review_within_ms", review_within}}), "pending"},
                   now);
}

void Escalation::on_reopened(SQLite::Database& db, const Incident& inc, EpochMs now) const {
    // The team is already engaged: reopening restarts the reminders, not the paging. The review
    // reminder waits for the next resolution.
    cancel_timers(db, inc.id, "pir_reminder");
    schedule_status_reminder(db, inc, now);
}

void Escalation::on_severity_changed(SQLite::Database& db, const Incident& inc, EpochMs now) const {
    schedule_status_reminder(db, inc, now);
    if (inc.status == Status::resolved) return;
    if (inc.acknowledged_at) {  // acknowledged: nobody gets paged any more
        cancel_timers(db, inc.id, "page");
        return;
    }
    // Levels already paged stay paged, and the level being chased (the highest paged) keeps
    // being re-paged every ack_within until someone acknowledges: its pending repeat stays. The
    // old plan's later levels are replaced by the new policy's, counting from now.
    const int paged = highest_paged_level(db, inc.id);
    SQLite::Statement cancel(
        db,
        "UPDATE timers SET state = 'cancelled' WHERE incident_id = ? AND kind = 'page' AND "
        "state = 'pending' AND NOT (json_extract(payload, '$.level') = ? AND "
        "json_extract(payload, '$.attempt') > 1)");
    cancel.bind(1, inc.id);
    cancel.bind(2, paged);
    const int cancelled = cancel.exec();
    plan_levels(db, inc, now, paged);
    append_timeline(db, system_event(inc, now, "escalation_replanned",
                                     "Escalation re-planned for " + inc.severity + " from now (" +
                                         std::to_string(cancelled) +
                                         " pending page(s) replaced; levels above " +
                                         std::to_string(paged) + " follow the new policy" +
                                         (paged > 0 ? "; level " + std::to_string(paged) +
                                                          " is re-paged until someone acknowledges"
                                                    : std::string()) +
                                         ")"));
}

void Escalation::page_contact(SQLite::Database& db, const Incident& inc, const Contact& c,
                              int level, int attempt, const std::string& by, EpochMs now) const {
    // One row per (incident, level, attempt, contact): a timer that fires twice pages once.
    const std::string methods = config_.page_methods(c);
    // Planned pages and their repeats share one PagerDuty alert per contact (a repeat while it is
    // open is folded into it; PagerDuty's own escalation re-notifies). A page by hand is someone
    // asking for a person now, so it opens an alert of its own, even after an acknowledge.
    const bool by_hand = attempt >= kFirstHandAttempt;
    const std::string key =
        pagerduty::dedup_key(inc.id, c.key) +
        (by_hand ? ":hand-" + (level > 0 ? "L" + std::to_string(level) + "-" : std::string()) +
                       std::to_string(attempt - kFirstHandAttempt + 1)
                 : "");
    SQLite::Statement st(db,
                         "INSERT OR IGNORE INTO pages (incident_id, level, attempt, contact, "
                         "dedup_key, methods, at) "
                         "VALUES (?,?,?,?,?,?,?)");
    st.bind(1, inc.id);
    st.bind(2, level);
    st.bind(3, attempt);
    st.bind(4, c.key);
    st.bind(5, key);
    st.bind(6, methods);
    st.bind(7, static_cast<int64_t>(now));
    if (st.exec() == 0) return;

    if (!c.pagerduty_routing_key.empty()) {
        const SeverityDef* sev = config_.severity(inc.severity);
        enqueue_outbox(db, inc.id, "pagerduty", pagerduty_queue(inc.id, c.key), "page",
                       dump_json({{"contact", c.key},
                                  {"body", pagerduty::trigger(
                                               c.pagerduty_routing_key, key,
                                               "[" + inc.severity + (sev ? " " + sev->name : "") +
                                                   "] " + inc.id + ": " + inc.title,
                                               sev ? sev->pagerduty_severity : "info",
                                               {{"incident_id", inc.id},
                                                {"title", inc.title},
                                                {"severity", inc.severity},
                                                {"status", status_name(inc.status)},
                                                {"level", level},
                                                {"attempt", attempt},
                                                {"channel", inc.channel}},
                                               "")}}),
                       now);
    }
    messages_.page(db, inc, c, level, attempt, now);
    TimelineEvent e = system_event(
        inc, now, "page_sent",
        "Paged " + (c.name.empty() ? c.key : c.name) + " (level " + std::to_string(level) +
            (by_hand ? ", by hand"
                     : (attempt > 1 ? ", repeat " + std::to_string(attempt - 1) : "")) +
            ") via " +
            (methods.empty() ? std::string("nothing: the contact has no method") : methods),
        by);
    e.data = dump_json({{"contact", c.key},
                        {"level", level},
                        {"attempt", attempt},
                        {"methods", methods},
                        {"dedup_key", key}});
    append_timeline(db, e);
}

void Escalation::page_level(SQLite::Database& db, const Incident& inc, int level, int attempt,
                            EpochMs now) const {
    const auto* levels = policy(inc.severity);
    if (!levels || level < 1 || level > static_cast<int>(levels->size())) return;
    for (const auto& who : (*levels)[static_cast<std::size_t>(level) - 1].notify) {
        const auto c = config_.contacts.find(who);
        if (c != config_.contacts.end())
            page_contact(db, inc, c->second, level, attempt, "muster", now);
    }
}

void Escalation::fire(SQLite::Database& db, const Timer& t, EpochMs now) const {
    const auto inc = load_incident(db, t.incident_id);
    if (!inc) return;
    const nlohmann::json p = nlohmann::json::parse(t.payload, nullptr, false);
    if (t.kind == "page") {
        if (inc->acknowledged_at || inc->status == Status::resolved) return;
        const int level = p.value("level", 1), attempt = p.value("attempt", 1);
        // A higher level firing replaces the reminders of the lower ones.
        if (attempt == 1) {
            SQLite::Statement st(
                db,
                "UPDATE timers SET state = 'cancelled' WHERE incident_id = ? AND kind = 'page' AND "
                "state = 'pending' AND json_extract(payload, '$.level') < ? AND "
                "json_extract(payload, '$.attempt') > 1");
            st.bind(1, inc->id);
            st.bind(2, level);
            st.exec();
        }
        page_level(db, *inc, level, attempt, now);
        if (attempt <= config_.escalation.repeat_limit && config_.escalation.ack_within_ms > 0) {
            Timer again;
            again.incident_id = inc->id;
            again.kind = "page";
            again.key = level_key(level, attempt + 1) + "@" + t.key.substr(t.key.find('@') + 1);
            again.due_at = now + config_.escalation.ack_within_ms;
            again.payload = dump_json({{"level", level}, {"attempt", attempt + 1}});
            schedule_timer(db, again, now);
        }
    } else if (t.kind == "status_reminder") {
        if (inc->status == Status::resolved) return;
        messages_.reminder(
            db, *inc, "Status update due",
            (inc->ic.empty() ? std::string("Nobody is IC") : "@" + inc->ic) +
                ": no update for a while. Post one with /incident update <status> <what we know>.",
            now);
        append_timeline(db, system_event(*inc, now, "reminder", "Status update reminder"));
        schedule_status_reminder(db, *inc, now);
    } else if (t.kind == "ic_nudge") {
        if (!inc->ic.empty() || inc->status == Status::resolved) return;
        messages_.reminder(db, *inc, "No incident commander yet",
                           "Someone please take it: /incident role ic me (or press I'm IC).", now);
        append_timeline(db, system_event(*inc, now, "reminder", "No IC assigned"));
    } else if (t.kind == "pir_reminder") {
        const auto within = p.is_object() ? p.value("review_within_ms", std::int64_t{0}) : 0;
        messages_.reminder(
            db, *inc, "Post-incident review due",
            "The review of this " + inc->severity + " is due now" +
                (within > 0 ? " (" + format_duration_config(within) + " after resolution)." : "."),
            now);
        append_timeline(db, system_event(*inc, now, "reminder", "Post-incident review due"));
    }
}

std::optional<std::string> Escalation::page_now(SQLite::Database& db, const Incident& inc,
                                                const std::string& target, const std::string& user,
                                                const Actor& actor, EpochMs now,
                                                std::string& error) const {
    if (inc.status == Status::resolved) {
        error = inc.id + " is resolved; reopen it before paging anyone.";
        return std::nullopt;
    }
    const auto* levels = policy(inc.severity);
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
        const int attempt = next_hand_attempt(db, inc, *level, "");
        for (const auto& key : (*levels)[static_cast<std::size_t>(*level) - 1].notify) {
            const auto c = config_.contacts.find(key);
            if (c != config_.contacts.end())
                page_contact(db, inc, c->second, *level, attempt, actor.user_id, now);
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
    if (config_.page_methods(who).empty()) {
        // Saying "paging" and reaching nobody is the worst answer at 3 a.m.
        error = "Nothing would reach " + name +
                ": no PagerDuty routing key and no Slack user for them here. " + page_targets(inc);
        return std::nullopt;
    }
    page_contact(db, inc, who, 0, next_hand_attempt(db, inc, 0, who.key), actor.user_id, now);
    return "📟 Paging " + name + " for " + inc.id + " now.";
}

std::optional<int> Escalation::parse_level_target(const std::string& target) {
    std::string t;
    for (char c : target) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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
    auto lower = [](std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    };
    for (const auto& [k, c] : config_.contacts)
        if (lower(k) == lower(key)) return &c;
    return nullptr;
}

std::string Escalation::page_targets(const Incident& inc) const {
    const auto* levels = policy(inc.severity);
    std::string s = "You can page ";
    if (levels && !levels->empty())
        s += "a level of " + inc.severity + " (1" +
             (levels->size() > 1 ? "–" + std::to_string(levels->size()) : std::string()) +
             ", e.g. `L2`), ";
    std::string contacts;
    for (const auto& [key, c] : config_.contacts)
        if (!config_.page_methods(c).empty()) contacts += (contacts.empty() ? "" : ", ") + key;
    if (!contacts.empty()) s += "a contact (" + contacts + "), ";
    return s + "or someone mentioned as @user.";
}

// Pages by hand number their attempts from kFirstHandAttempt per (level, contact), so they never
// collide with planned attempts or with each other (the pages table is unique on them).
int Escalation::next_hand_attempt(SQLite::Database& db, const Incident& inc, int level,
                                  const std::string& contact) const {
    SQLite::Statement q(db,
                        "SELECT IFNULL(MAX(attempt) + 1, ?) FROM pages WHERE incident_id = ? AND "
                        "level = ? AND attempt >= ? AND (? = '' OR contact = ?)");
    q.bind(1, kFirstHandAttempt);
    q.bind(2, inc.id);
    q.bind(3, level);
    q.bind(4, kFirstHandAttempt);
    q.bind(5, contact);
    q.bind(6, contact);
    q.executeStep();
    return q.getColumn(0).getInt();
}

}  // namespace muster
