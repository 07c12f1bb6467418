// What a decision changes, as one plain value (DESIGN "events in, effects out"): the incident
// record, its timeline, timers, pages and action items, the notifications it causes and, once
// the runtime has planned them, the queued operations that carry them out. Storage applies a whole
// Effects value in one transaction, or none of it; a decision that turns out to be based on an
// outdated read (the incident's version moved) is not applied and is decided again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/incident.h"
#include "bot/domain/incident_state.h"
#include "bot/domain/notification.h"
#include "bot/domain/timeline.h"
#include "bot/domain/timer.h"

namespace muster {

// A channel that belongs to an incident (the console's at once, Slack's once created).
struct ChannelBinding {
    std::string channel_id, incident_id, platform, name;
    bool is_incident_channel = true;  // also sets the incident's `channel` to "#name"
    EpochMs at = 0;
};
// The highest "-N" used for a channel base name, so the next one starts after it.
struct ChannelSuffix {
    std::string platform, base;
    int suffix = 1;
};
// A message Muster posted and must find again (to update a headline, to pin).
struct RememberedMessage {
    std::string incident_id, platform, purpose, channel, ts;
    EpochMs at = 0;
};
// Queued page-priority operations of `kind` for the incident that would now be wrong to send
// (pages, once someone acknowledged): withdrawn; the timeline says how many, when there were
// any. Chat messages are never withdrawn (storage indexes only pages for this).
struct Withdrawal {
    std::string incident_id, kind, why, actor;
    EpochMs at = 0;
};
// An inbound delivery's key (a platform's retry is the same key): stored with the effects it
// guards; a second Effects value with the same key is not applied. `answer` is what the first
// delivery was answered (JSON), for the retry.
struct DedupeKey {
    std::string source, key;
    std::optional<std::string> answer;
    EpochMs at = 0;
};

// The incident an outside thing (a PagerDuty incident, an alert group, a heartbeat, a
// correlation label value) currently belongs to. `expected`: nullopt = there must be no link yet;
// a value = the link must still point there (concurrent deliveries decide again); `overwrite`:
// no check (correlation keys simply follow the newest incident).
struct IncidentLink {
    std::string source, external_id, incident_id;
    std::string data;  // JSON the source's adapter keeps (a PagerDuty number and URL)
    std::optional<std::string> expected;
    bool overwrite = false;
    EpochMs at = 0;
};
// An alert's new state (upserted by source, group and fingerprint).
struct AlertRecord {
    std::string source, group_key, fingerprint, incident_id;  // incident "" = only recorded
    std::string status;                                       // firing | resolved
    std::string summary;
    std::string labels;  // JSON object
    EpochMs at = 0;
};

// One operation for one destination's outbox lane, in one ordered queue.
constexpr int kPagePriority = 0;  // pages and their follow-ups go before chat messages (the
                                  // value is written into storage/sql.h and migration v9)
constexpr int kChatPriority = 1;
struct QueuedOp {
    std::string incident_id;
    std::string destination;  // console | slack | pagerduty | teams
    std::string queue;        // ordering key, "<destination>:…"; rows of one queue go in order
    std::string kind;         // declaration | announcement | page | …
    std::string payload;      // JSON, rendered by the destination when it delivers
    int priority = kChatPriority;
    EpochMs not_before = 0;  // 0: at once
};

struct Effects {
    std::string source;  // where the change came from: slack | teams | pagerduty | cli | system
    EpochMs at = 0;

    std::optional<Incident> created;  // a new incident (its id's sequence is kept as well)
    std::optional<Incident> updated;  // the incident after the change; `version` is the one read
    std::vector<TimelineEvent> timeline;
    std::vector<Timer> schedule;       // new timers (an existing key is left alone)
    std::vector<std::int64_t> cancel;  // pending timers to cancel
    std::optional<std::int64_t> fire;  // the timer this firing consumes: must be pending
    std::vector<PageSent> pages;
    std::vector<ActionItem> action_items;
    std::vector<ActionItemChange> action_item_changes;
    std::vector<ChannelBinding> channels;
    std::vector<ChannelSuffix> suffixes;
    std::vector<RememberedMessage> remembered;
    std::vector<Withdrawal> withdrawals;
    std::vector<DedupeKey> dedupe;
    std::vector<IncidentLink> links;
    std::vector<AlertRecord> alerts;
    std::vector<Notification> notifications;  // planned into `outbox` by the runtime
    std::vector<QueuedOp> outbox;

    bool writes_nothing() const {
        return !created && !updated && timeline.empty() && schedule.empty() && cancel.empty() &&
               !fire && pages.empty() && action_items.empty() && action_item_changes.empty() &&
               channels.empty() && suffixes.empty() && remembered.empty() && withdrawals.empty() &&
               dedupe.empty() && links.empty() && alerts.empty() && notifications.empty() &&
               outbox.empty();
    }
};

// How applying an Effects value went.
enum class Applied {
    ok,
    conflict,   // the incident changed since it was read (or the timer is no longer pending)
    duplicate,  // a dedupe key was there already: a retried delivery
    busy,       // the write queue is full, or the deadline passed before the write began
    failed,     // storage error: nothing was written
};

}  // namespace muster
