#include "storage/database.h"

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <system_error>

#include "storage/wal_write_buffer.h"

namespace muster {

void configure_sqlite_once() {
    // Every connection is used by one thread at a time (the writer owns its own; a read lease is
    // exclusive), so SQLite's per-connection mutexes and its global memory statistics (one more
    // mutex around every malloc) are pure cost: together about a tenth of the writer's time on
    // the declare path (perf, README "Performance"). sqlite3_config must run before SQLite
    // initialises; if something else initialised it first this is SQLITE_MISUSE and changes
    // nothing, which is still correct.
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

int connection_flags(bool read_only) {
    return (read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)) |
           SQLite::OPEN_NOMUTEX;
}

std::unique_ptr<SQLite::Database> open_database(const DatabaseOptions& o) {
    namespace fs = std::filesystem;
    configure_sqlite_once();
    if (o.path.empty()) throw StorageError("storage.path is empty");
    try {
        if (!o.read_only) {
            const fs::path parent = fs::path(o.path).parent_path();
            std::error_code ec;
            if (!parent.empty() && !fs::exists(parent, ec)) {
                fs::create_directories(parent, ec);
                if (ec)
                    throw StorageError("cannot create the database folder " + parent.string() +
                                       ": " + ec.message());
            }
        } else if (!fs::exists(o.path)) {
            throw StorageError("no database at " + o.path +
                               " (start `muster serve` once, or pass --db)");
        }
        // The writer's log writes are gathered into a few writes per commit; only safe when
        // every commit syncs the log and the file has powersafe overwrite
        // (storage/wal_write_buffer.h).
        bool gather_log = !o.read_only && o.synchronous != "normal";
        auto db = std::make_unique<SQLite::Database>(o.path.c_str(), connection_flags(o.read_only),
                                                     o.busy_timeout_ms,
                                                     gather_log ? wal_write_buffer_vfs() : nullptr);
        if (gather_log && !gather_wal_writes(db->getHandle())) {
            gather_log = false;
            db.reset();
            db = std::make_unique<SQLite::Database>(o.path, connection_flags(false),
                                                    o.busy_timeout_ms);
        }
        if (!o.read_only) {
            const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
            if (mode != "wal")
                throw StorageError("cannot switch " + o.path + " to WAL mode (got " + mode + ")");
            db->exec(o.synchronous == "normal" ? "PRAGMA synchronous = NORMAL"
                                               : "PRAGMA synchronous = FULL");
        }
        db->exec("PRAGMA foreign_keys = ON");
        // Savepoint sub-journals and sorter spills stay in memory: on disk they were five times
        // the WAL's own writes on the declare path (issue 8, README "Performance").
        db->exec("PRAGMA temp_store = MEMORY");
        if (o.read_only) {
            const int v = db->execAndGet("PRAGMA user_version").getInt();
            if (v > current_schema_version())
                throw StorageError("database schema version " + std::to_string(v) +
                                   " is newer than this muster understands");
            if (v < current_schema_version())
                throw StorageError("database " + o.path + " is at schema version " +
                                   std::to_string(v) + "; start `muster serve` once to migrate it");
        } else {
            migrate(*db);
        }
        if (gather_log && db->execAndGet("PRAGMA synchronous").getInt() < 2)
            throw StorageError("the gathered log writes need synchronous = FULL");
        return db;
    } catch (const StorageError&) {
        throw;
    } catch (const std::exception& e) {
        throw StorageError("cannot open database " + o.path + ": " + e.what());
    }
}

}  // namespace muster
