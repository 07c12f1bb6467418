// Inside the SQLite adapter (storage/ only): the class behind open_sqlite_storage, its pool of
// read connections, and the row mappings the reads and the writes share.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "storage/checkpointer.h"
#include "storage/sqlite_storage.h"
#include "storage/statement_cache.h"
#include "storage/writer.h"

namespace muster {

// Read connections, one per concurrent reader, each with its prepared statements. WAL lets them
// read while the writer writes.
class ReadPool {
  public:
    ReadPool(std::string path, int busy_timeout_ms);
    struct Conn {
        std::unique_ptr<SQLite::Database> db;
        std::unique_ptr<StatementCache> st;
    };
    class Lease {
      public:
        Lease(ReadPool& pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
        ~Lease() { pool_.give_back(std::move(c_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        SQLite::Statement& get(const char* sql) { return c_->st->get(sql); }

      private:
        ReadPool& pool_;
        std::unique_ptr<Conn> c_;
    };
    Lease lease();

  private:
    void give_back(std::unique_ptr<Conn> c);
    std::string path_;
    int busy_timeout_ms_;
    std::mutex mu_;
    std::vector<std::unique_ptr<Conn>> idle_;
};

// Row mappings shared by reads and writes (column orders of storage/sql.h).
Incident read_incident(SQLite::Statement& q);
void bind_incident(SQLite::Statement& st, const Incident& i);  // from parameter 1
Timer read_timer(SQLite::Statement& q);
ActionItem read_action_item(SQLite::Statement& q);
OutboxItem read_outbox(SQLite::Statement& q);

// Thrown inside a write job; mapped to Applied by the committer.
struct Conflict : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Duplicate : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Applies one Effects value on the writer's connection (as one writer job: whole or not at all).
void apply_effects(StatementCache& st, const Effects& fx);
// Records delivery outcomes and what they learnt.
void record_outcomes(StatementCache& st, const std::vector<DeliveryOutcome>& outcomes);

class SqliteStorage final : public Storage {
  public:
    explicit SqliteStorage(const StorageOptions& options);
    ~SqliteStorage() override;

    // IncidentReads
    std::optional<IncidentState> load(const std::string& id) override;
    std::optional<std::string> incident_for_channel(const std::string& channel_id) override;
    std::vector<Incident> list(bool open_only, int limit) override;
    Page list_page(bool open_only, EpochMs since, const std::string& cursor, int limit) override;
    // ReportReads
    std::vector<PageSent> pages_between(EpochMs from, EpochMs to) override;
    std::vector<ActionItem> overdue_action_items(const std::string& day) override;
    std::vector<TimelineEvent> timeline(const std::string& incident_id) override;
    void each_timeline_event(const std::string& incident_id,
                             const std::function<void(const TimelineEvent&)>& fn) override;
    std::vector<ActionItem> action_items(const std::string& incident_id) override;
    std::vector<std::string> notes_since_last_update(const std::string& incident_id,
                                                     EpochMs before) override;
    std::optional<std::string> answer_for(const std::string& source,
                                          const std::string& key) override;
    bool seen(const std::string& source, const std::string& key) override;
    bool channel_taken(const std::string& channel_id) override;
    bool posted_by_muster(const std::string& platform, const std::string& channel,
                          const std::string& ts) override;
    // AlertReads
    std::optional<IncidentLink> link(const std::string& source,
                                     const std::string& external_id) override;
    std::vector<IncidentLink> links_of(const std::string& incident_id) override;
    std::vector<StoredAlert> alerts(const std::string& source,
                                    const std::string& group_key) override;
    int firing_alerts(const std::string& incident_id) override;
    std::vector<Timer> unbound_timers(const std::string& kind,
                                      const std::string& key_prefix) override;
    // Sequences
    std::int64_t next_incident_seq(const std::string& day) override;
    int next_channel_suffix(const std::string& platform, const std::string& base) override;
    // Committer
    bool apply(Effects effects, Done done, EpochMs deadline) override;
    bool probe(std::function<void(bool, std::string)> done) override;
    // ChatReads
    std::optional<ChannelBinding> channel_of(const std::string& incident_id,
                                             const std::string& platform) override;
    std::vector<RememberedMessage> messages(const std::string& incident_id,
                                            const std::string& platform,
                                            const std::string& purpose) override;
    int last_channel_suffix(const std::string& platform, const std::string& base) override;
    // OutboxPort
    std::vector<OutboxItem> due(const std::string& destination, int priority, EpochMs now,
                                int limit) override;
    std::optional<EpochMs> next_due(const std::string& destination, int priority) override;
    std::vector<OutboxItem> followers(const OutboxItem& head, int limit) override;
    std::map<std::string, int> pending_by_destination() override;
    std::vector<OutboxItem> rows(const std::string& incident_id) override;
    bool record(std::vector<DeliveryOutcome> outcomes, std::function<void(bool)> done) override;
    // TimerPort
    std::vector<Timer> due(EpochMs now, int limit) override;
    std::optional<EpochMs> next_due() override;
    bool fail(const Timer& timer, EpochMs now, const std::string& why,
              std::function<void(bool)> done) override;
    // RetentionPort
    int prune(const RetentionPolicy& policy, EpochMs now, int batch) override;
    // Storage
    void on_commit(std::function<void()> fn) override;
    void stop() override;
    std::uint64_t commits() const override;
    std::size_t queued_writes() const override;

  private:
    bool submit(std::function<void(StatementCache&)> job,
                std::function<void(std::exception_ptr)> done, EpochMs deadline = 0);

    StorageOptions options_;
    std::unique_ptr<Checkpointer> checkpointer_;   // outlives the writer (its commit hook)
    std::unique_ptr<Writer> writer_;               // null when read-only
    std::unique_ptr<StatementCache> write_cache_;  // used on the writer thread only
    SQLite::Database* write_db_ = nullptr;
    ReadPool reads_;

    // Numbers handed out ahead of the writer: safe because one process holds the database.
    std::mutex seq_mu_;
    std::map<std::string, std::int64_t> incident_seq_;             // day → last handed out
    std::map<std::pair<std::string, std::string>, int> suffix_;    // (platform, base) → last
    std::list<std::pair<std::string, std::string>> suffix_order_;  // oldest first, bounded
};

}  // namespace muster
