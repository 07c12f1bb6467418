// The storage ports the core owns (DESIGN "Ports owned by the core"): what the service, the
// commands and the runtime need from storage, as interfaces. storage/ implements them for SQLite
// (a PostgreSQL adapter will implement the same); nothing in the core knows which. Reads may be
// called from any thread and never wait for the writer; writes go through Committer::apply, one
// Effects value per transaction.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/domain/alert.h"
#include "bot/domain/effects.h"
#include "bot/domain/incident_state.h"
#include "bot/domain/timeline.h"

namespace muster {

// Reads of incidents and what belongs to them. Every method may be called from any thread.
class IncidentReads {
  public:
    virtual ~IncidentReads() = default;
    virtual std::optional<IncidentState> load(const std::string& id) = 0;
    // The incident whose channel this is, on any platform.
    virtual std::optional<std::string> incident_for_channel(const std::string& channel_id) = 0;
    // Newest first; open_only leaves out resolved ones.
    virtual std::vector<Incident> list(bool open_only, int limit) = 0;
    // A page of the listing, newest first: incidents declared at or after `since` (ms since the
    // epoch; 0 = all), after `cursor` (from the previous page; "" = from the newest), at most
    // `limit`. `next` is the cursor of the page after, empty when this was the last.
    struct Page {
        std::vector<Incident> incidents;
        std::string next;
    };
    virtual Page list_page(bool open_only, EpochMs since, const std::string& cursor, int limit) = 0;
    virtual std::vector<TimelineEvent> timeline(const std::string& incident_id) = 0;
    // The same, one event at a time in time order, none held (a PIR of 100,000 events). The
    // event passed is valid during the call only.
    virtual void each_timeline_event(const std::string& incident_id,
                                     const std::function<void(const TimelineEvent&)>& fn) = 0;
    virtual std::vector<ActionItem> action_items(const std::string& incident_id) = 0;
    // The notes posted since the incident's last status update before `before`, oldest first.
    virtual std::vector<std::string> notes_since_last_update(const std::string& incident_id,
                                                             EpochMs before) = 0;
    // The answer stored with an inbound dedupe key, when that key has been seen.
    virtual std::optional<std::string> answer_for(const std::string& source,
                                                  const std::string& key) = 0;
    virtual bool seen(const std::string& source, const std::string& key) = 0;
    virtual bool channel_taken(const std::string& channel_id) = 0;
    // A message Muster itself posted (its pinned declaration is no news for the timeline).
    virtual bool posted_by_muster(const std::string& platform, const std::string& channel,
                                  const std::string& ts) = 0;
};

// What alert intake reads: links from outside things to incidents, alerts by group, and
// timers that belong to no incident (heartbeat deadlines). Any thread.
class AlertReads {
  public:
    virtual ~AlertReads() = default;
    virtual std::optional<IncidentLink> link(const std::string& source,
                                             const std::string& external_id) = 0;
    virtual std::vector<IncidentLink> links_of(const std::string& incident_id) = 0;
    virtual std::vector<StoredAlert> alerts(const std::string& source,
                                            const std::string& group_key) = 0;
    virtual int firing_alerts(const std::string& incident_id) = 0;
    // Pending timers of `kind` whose key starts with `key_prefix` and that belong to no incident.
    virtual std::vector<Timer> unbound_timers(const std::string& kind,
                                              const std::string& key_prefix) = 0;
};

// What reports across incidents read (muster report, /api/v1/reports).
class ReportReads {
  public:
    virtual ~ReportReads() = default;
    // Pages sent at or after `from` and before `to` (ms since the epoch), oldest first.
    virtual std::vector<PageSent> pages_between(EpochMs from, EpochMs to) = 0;
    // Action items still open whose due date (YYYY-MM-DD) is before `day`.
    virtual std::vector<ActionItem> overdue_action_items(const std::string& day) = 0;
};

// Numbers handed out without waiting for the writer (one process per database holds them; the
// writer persists the highest used with the effects that use them).
class Sequences {
  public:
    virtual ~Sequences() = default;
    virtual std::int64_t next_incident_seq(const std::string& day) = 0;  // INC-<day>-<seq>
    // The next "-N" for a channel base name on a platform (1: the base name itself).
    virtual int next_channel_suffix(const std::string& platform, const std::string& base) = 0;
};

// Applies Effects, each in one transaction (group-committed with whatever else is queued).
class Committer {
  public:
    virtual ~Committer() = default;
    using Done = std::function<void(Applied)>;
    // `done` runs once the outcome is durable (on the writer's completion thread, in commit
    // order; keep it short: other answers wait behind it). Returns false, calling
    // nothing, when the write queue is full or storage is stopped: the caller answers 503.
    // A write not begun by `deadline` (ms since epoch; 0 = none) is dropped: done(busy).
    virtual bool apply(Effects effects, Done done, EpochMs deadline = 0) = 0;
    // A small write that proves the database takes writes (readiness).
    virtual bool probe(std::function<void(bool ok, std::string why)> done) = 0;
};

// What a platform remembers per incident, read at delivery time.
class ChatReads {
  public:
    virtual ~ChatReads() = default;
    virtual std::optional<ChannelBinding> channel_of(const std::string& incident_id,
                                                     const std::string& platform) = 0;
    virtual std::vector<RememberedMessage> messages(const std::string& incident_id,
                                                    const std::string& platform,
                                                    const std::string& purpose) = 0;
    virtual int last_channel_suffix(const std::string& platform, const std::string& base) = 0;
};

// One outbox row as a lane delivers it.
struct OutboxItem {
    std::int64_t id = 0;
    std::string incident_id;
    std::string destination, queue, kind, payload;
    int priority = kChatPriority;
    int attempts = 0;
    EpochMs next_attempt_at = 0, created_at = 0;
    std::string status = "pending";  // pending | delivered | failed | withdrawn
    std::optional<EpochMs> delivered_at;
    std::optional<std::string> last_error;
};

// What became of one delivery attempt.
struct DeliveryOutcome {
    std::int64_t id = 0;
    std::string queue;  // the row's queue (OutboxItem::queue); empty = storage looks it up
    enum class Kind { delivered, retry, failed } kind = Kind::delivered;
    std::string detail;
    EpochMs at = 0;
    EpochMs next_attempt_at = 0;  // retry
    bool counts_as_attempt = true;
    std::vector<std::int64_t> also_delivered;  // later rows of the same queue it covered
    Effects learned;  // what the delivery learnt (a channel id, a message ts, a timeline note)
};

// The outbox as the delivery lanes see it. Finding due work is a range of an index: it does not
// grow with the backlog, and it runs on a read connection, not on the writer.
class OutboxPort {
  public:
    virtual ~OutboxPort() = default;
    // Heads of the destination's queues of that priority that are due, earliest first.
    virtual std::vector<OutboxItem> due(const std::string& destination, int priority, EpochMs now,
                                        int limit) = 0;
    virtual std::optional<EpochMs> next_due(const std::string& destination, int priority) = 0;
    // Rows right behind `head` in its queue (same kind), for a deliverer that folds them in.
    virtual std::vector<OutboxItem> followers(const OutboxItem& head, int limit) = 0;
    virtual std::map<std::string, int> pending_by_destination() = 0;
    virtual std::vector<OutboxItem> rows(const std::string& incident_id) = 0;
    // Records outcomes (and what they learnt) in one transaction; done on the writer's
    // completion thread.
    virtual bool record(std::vector<DeliveryOutcome> outcomes, std::function<void(bool)> done) = 0;
};

class TimerPort {
  public:
    virtual ~TimerPort() = default;
    virtual std::vector<Timer> due(EpochMs now, int limit) = 0;
    virtual std::optional<EpochMs> next_due() = 0;
    // A timer whose decision cannot be made (a bug, a broken row): marked failed, alone.
    virtual bool fail(const Timer& timer, EpochMs now, const std::string& why,
                      std::function<void(bool)> done) = 0;
};

// Old rows are pruned in small batches, so no query grows with history.
struct RetentionPolicy {
    EpochMs outbox_ms, timers_ms, dedupe_ms;
};
class RetentionPort {
  public:
    virtual ~RetentionPort() = default;
    // Deletes at most `batch` settled rows older than the policy; returns how many (blocking).
    virtual int prune(const RetentionPolicy& policy, EpochMs now, int batch) = 0;
};

}  // namespace muster
