// Opening Muster's SQLite file (storage/ only): WAL, foreign keys, the configured durability,
// and versioned migrations. Failures become one StorageError with a message an operator can act
// on.
#pragma once

#include <SQLiteCpp/Database.h>

#include <memory>
#include <string>

#include "storage/sqlite_storage.h"

namespace muster {

struct DatabaseOptions {
    std::string path;
    std::string synchronous = "full";  // full | normal
    int busy_timeout_ms = 5000;
    bool read_only = false;
};

// Process-wide SQLite settings (no memory statistics), applied before the first connection.
void configure_sqlite_once();

// Open flags for one of Muster's connections: read-only or read-write-create, and always
// SQLITE_OPEN_NOMUTEX, because no connection is ever used by two threads at once.
int connection_flags(bool read_only);

// Opens (creating the file and its folder when writable) and migrates to the current schema.
// A read-only open checks the schema version instead of migrating.
std::unique_ptr<SQLite::Database> open_database(const DatabaseOptions& options);

// Applies every migration above the database's user_version, each in its own transaction.
void migrate(SQLite::Database& db);

}  // namespace muster
