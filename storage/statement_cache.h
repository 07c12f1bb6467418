// Statements prepared once per connection and reused (reset and rebound for every use): the
// writer's connection keeps one cache, each read connection another.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace muster {

class StatementCache {
  public:
    explicit StatementCache(SQLite::Database& db) : db_(db) {}
    // The statement for `sql`, reset with its bindings cleared. `sql` is a literal (or a static
    // string): the pointer is the key.
    SQLite::Statement& get(const char* sql) {
        auto& st = cache_[sql];
        if (!st) {
            st = std::make_unique<SQLite::Statement>(db_, sql);
        } else {
            st->reset();
            st->clearBindings();
        }
        used_.push_back(st.get());
        return *st;
    }
    // Resets every statement used since the last call. A SELECT stepped but not reset keeps its
    // read transaction open, and the connection would go on seeing that old snapshot: a read
    // connection is released only after this.
    void release() {
        for (auto* st : used_) st->reset();
        used_.clear();
    }
    SQLite::Database& db() { return db_; }

    // Writer only: the outbox queues known to hold a pending row in the current transaction. A
    // queue written to earlier in the same transaction needs no lookup to know it is not empty.
    // The writer wrapper calls in_transaction() before each job (a new number clears the
    // notes) and forget() when a job rolls back alone.
    std::unordered_set<std::string>& queues_with_pending() { return queues_with_pending_; }
    void in_transaction(std::uint64_t txn) {
        if (txn != queues_txn_) forget();
        queues_txn_ = txn;
    }
    void forget() { queues_with_pending_.clear(); }

  private:
    SQLite::Database& db_;
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache_;
    std::vector<SQLite::Statement*> used_;
    std::unordered_set<std::string> queues_with_pending_;
    std::uint64_t queues_txn_ = 0;
};

}  // namespace muster
