#include "storage/database.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace muster {

std::unique_ptr<SQLite::Database> open_database(const DatabaseOptions& o) {
    namespace fs = std::filesystem;
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
        const int flags =
            o.read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        auto db = std::make_unique<SQLite::Database>(o.path, flags, o.busy_timeout_ms);
        if (!o.read_only) {
            const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
            if (mode != "wal")
                throw StorageError("cannot switch " + o.path + " to WAL mode (got " + mode + ")");
            db->exec(o.synchronous == "normal" ? "PRAGMA synchronous = NORMAL"
                                               : "PRAGMA synchronous = FULL");
        }
        db->exec("PRAGMA foreign_keys = ON");
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
        return db;
    } catch (const StorageError&) {
        throw;
    } catch (const std::exception& e) {
        throw StorageError("cannot open database " + o.path + ": " + e.what());
    }
}

}  // namespace muster
