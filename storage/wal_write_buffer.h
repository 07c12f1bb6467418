// A SQLite VFS shim (storage/ only) that gathers the writer's write-ahead-log writes into a few
// 64 KiB writes per commit. SQLite writes each WAL frame as two calls (a 24-byte frame header, then
// the 4 KiB page), so a commit of ~90 pages is ~180 pwrite system calls, each going through the
// kernel's per-page write path for a partial page; on the declare path they were about a quarter
// of the writer's CPU (perf, README "Performance"); gathered, the writer's CPU per declaration
// fell by a fifth.
//
// Only files SQLite opens as write-ahead logs are wrapped; the database file, journals and
// everything else are the default VFS's own files, untouched. A wrapped log keeps contiguous
// writes in memory and writes them before any other operation on that file (read, size,
// truncate, sync, lock, file control, close) and whenever 4 MiB are held. Durability is
// unchanged: SQLite with `synchronous = FULL` syncs the log at every commit, before the commit is
// made visible in the WAL index, and the sync writes the held bytes first. With `synchronous =
// NORMAL` a commit is published without a sync of the log, so the shim must not be used then;
// open_database uses it only for a writable connection with `synchronous = FULL`.
#pragma once

#include <cstdint>

namespace muster {

// Registers the shim (not as the default VFS) once per process and returns its name, for
// sqlite3_open_v2's zVfs. Throws StorageError when SQLite has no default VFS to wrap.
const char* wal_write_buffer_vfs();

// Process-wide counts since start, for tests and diagnostics: writes SQLite made to wrapped logs,
// and the writes the shim made to the files in their place.
struct WalWriteCounts {
    std::uint64_t gathered = 0;
    std::uint64_t written = 0;
};
WalWriteCounts wal_write_counts();

}  // namespace muster
