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
// truncate, sync, lock, file control, close) and whenever 4 MiB are held; a write that fails
// stays held, so a later sync cannot succeed without it. Durability is unchanged only under two
// conditions, because a commit is published through the database file's shared memory, which the
// shim does not see: every commit must sync the log (`synchronous = FULL`: SQLite syncs before
// it publishes, and the sync writes the held bytes first), and the database file must have
// powersafe overwrite (without it SQLite pads a commit to a sector and syncs in the middle of its
// last frame). open_database uses the shim only for a writable connection with `synchronous =
// FULL`, and gather_wal_writes refuses a file without powersafe overwrite. Frames of a
// rolled-back transaction are dropped, never written. Reviewed against SQLite 3.40.1's wal.c,
// pager.c and os_unix.c (issue 8's note).
#pragma once

#include <cstdint>

struct sqlite3;

namespace muster {

// Registers the shim (not as the default VFS) once per process and returns its name, for
// sqlite3_open_v2's zVfs. Throws StorageError when SQLite has no default VFS to wrap.
const char* wal_write_buffer_vfs();

// For a connection just opened with wal_write_buffer_vfs(): false when its database file lacks
// powersafe overwrite (reopen it on the default VFS then); otherwise installs the rollback hook
// that drops a rolled-back transaction's held frames (the connection's one rollback hook) and
// returns true.
bool gather_wal_writes(sqlite3* db);

// Process-wide counts since start, for tests and diagnostics: writes SQLite made to wrapped logs,
// and the writes the shim made to the files in their place.
struct WalWriteCounts {
    std::uint64_t gathered = 0;
    std::uint64_t written = 0;
};
WalWriteCounts wal_write_counts();

}  // namespace muster
