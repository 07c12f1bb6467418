// Statements prepared once per connection and reused (reset and rebound for every use): the
// writer's connection keeps one cache, each read connection another.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>
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

  private:
    SQLite::Database& db_;
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache_;
    std::vector<SQLite::Statement*> used_;
};

}  // namespace muster
