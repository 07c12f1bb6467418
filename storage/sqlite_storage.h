// The SQLite adapter behind the core's storage ports (bot/service/ports.h): one file, WAL mode,
// one writer thread that applies Effects values (group commit) and a pool of read connections
// that never wait for it. This header is all the rest of Muster sees of storage: no SQLite type
// crosses it, so a PostgreSQL adapter can stand in with the same ports.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "bot/domain/clock.h"
#include "bot/service/ports.h"

namespace muster {

class StorageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct StorageOptions {
    std::string path;
    std::string synchronous = "full";  // full | normal
    int busy_timeout_ms = 5000;
    bool read_only = false;          // the CLI's reads: no writer, no migration
    std::size_t max_queue = 20'000;  // writes waiting at most; beyond, apply() answers false
    const Clock* clock = nullptr;    // for write deadlines; the system clock when null
};

class Storage : public IncidentReads,
                public AlertReads,
                public ReportReads,
                public Sequences,
                public Committer,
                public ChatReads,
                public OutboxPort,
                public TimerPort,
                public RetentionPort {
  public:
    // Runs on the writer thread after every commit that changed rows (wakes the loops).
    virtual void on_commit(std::function<void()> fn) = 0;
    // Finishes every queued write, then refuses new ones. Idempotent.
    virtual void stop() = 0;
    virtual std::uint64_t commits() const = 0;
    virtual std::size_t queued_writes() const = 0;
};

// Opens (creating the file and its folder when writable) and migrates to the current schema; a
// read-only open checks the schema version instead. Throws StorageError with a message an
// operator can act on.
std::unique_ptr<Storage> open_sqlite_storage(const StorageOptions& options);

int current_schema_version();

}  // namespace muster
