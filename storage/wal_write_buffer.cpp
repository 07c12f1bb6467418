#include "storage/wal_write_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <string>

#include "storage/sqlite_storage.h"

namespace muster {
namespace {

constexpr std::size_t kHoldLimit = 4u << 20;  // bytes held before they are written anyway
constexpr std::size_t kKeep = 512u << 10;     // capacity kept after a flush, at most
constexpr const char* kName = "muster-wal-buffer";

std::atomic<std::uint64_t> gathered_writes{0}, file_writes{0};

sqlite3_vfs* base_vfs(sqlite3_vfs* shim) {
    return static_cast<sqlite3_vfs*>(shim->pAppData);
}

// A wrapped write-ahead log: our header, then the default VFS's own file object. SQLite places
// file objects 8-byte aligned (sqlite3WalOpen puts it right after its Wal struct), so nothing
// here may need more.
struct WalFile {
    sqlite3_file base;          // pMethods = kWalMethods
    sqlite3_file* real;         // the default VFS's file, right after this struct
    std::string* held;          // contiguous bytes not yet written
    sqlite3_int64 held_offset;  // where held[0] goes in the file
};

static_assert(sizeof(WalFile) % 8 == 0,
              "the default VFS file that follows must stay 8-byte aligned");

sqlite3_file* real_of(sqlite3_file* f) {
    return reinterpret_cast<WalFile*>(f)->real;
}

// The unix VFS writes at most 128 KiB - 1 bytes per call (seekAndWriteFd masks the count with
// 0x1ffff), so held bytes go out in pieces below that.
constexpr std::size_t kMaxWrite = 64u << 10;

// Writes what is held. On an error, what was not written stays held (and its offset moves past
// what was): SQLite was told those bytes were written, so no later call may succeed without them
// — the next flush, at the commit's sync at the latest, tries again, and a commit cannot be
// published while a part of it is missing (review of issue 8: a failed flush in a read during a
// savepoint's rollback, then a commit once the disk had room again).
int write_held(WalFile* w) {
    std::string& held = *w->held;
    std::size_t done = 0;
    int rc = SQLITE_OK;
    while (done < held.size()) {
        const std::size_t n = std::min(kMaxWrite, held.size() - done);
        file_writes.fetch_add(1, std::memory_order_relaxed);
        rc = w->real->pMethods->xWrite(w->real, held.data() + done, static_cast<int>(n),
                                       w->held_offset + static_cast<sqlite3_int64>(done));
        if (rc != SQLITE_OK) break;
        done += n;
    }
    if (rc != SQLITE_OK) {
        held.erase(0, done);
        w->held_offset += static_cast<sqlite3_int64>(done);
        return rc;
    }
    held.clear();
    // A large transaction (a migration, a prune) does not leave its size held for ever.
    if (held.capacity() > kKeep) std::string().swap(held);
    return SQLITE_OK;
}

int flush(sqlite3_file* f) {
    return write_held(reinterpret_cast<WalFile*>(f));
}

int wal_close(sqlite3_file* f) {
    auto* w = reinterpret_cast<WalFile*>(f);
    const int flushed = write_held(w);
    const int rc = w->real->pMethods->xClose(w->real);
    delete w->held;
    w->held = nullptr;
    return rc != SQLITE_OK ? rc : flushed;
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    auto* w = reinterpret_cast<WalFile*>(f);
    gathered_writes.fetch_add(1, std::memory_order_relaxed);
    const auto n = static_cast<std::size_t>(amount);
    const bool follows =
        !w->held->empty() && offset == w->held_offset + static_cast<sqlite3_int64>(w->held->size());
    if (!follows || w->held->size() + n > kHoldLimit) {
        // Not the next byte (a frame rewritten, the header of a restarted log), or enough held:
        // what is held goes out first, so writes reach the file in the order SQLite made them.
        if (const int rc = write_held(w); rc != SQLITE_OK) return rc;
        w->held_offset = offset;
    }
    try {
        w->held->append(static_cast<const char*>(data), n);
    } catch (const std::bad_alloc&) {
        // An I/O-class error: SQLite then rolls the whole transaction back (plain SQLITE_NOMEM
        // could leave it open with this write missing).
        return SQLITE_IOERR_NOMEM;
    }
    return SQLITE_OK;
}

// Every other method: what is held goes out first (a failure there is the method's failure), then
// the default VFS's own method runs.
template <auto Method, typename... Args>
int flushed(sqlite3_file* f, Args... args) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return (real_of(f)->pMethods->*Method)(real_of(f), args...);
}

// Questions about the device, asked in the middle of a commit: nothing to write for them.
template <auto Method>
int forwarded(sqlite3_file* f) {
    return (real_of(f)->pMethods->*Method)(real_of(f));
}

// Shared memory belongs to the database file: SQLite never calls these on a log (wal.c uses
// pDbFd for them). They forward for completeness; in particular a commit is published through
// the database file's xShmBarrier, which the shim does not see — hence the sync and
// powersafe-overwrite conditions in the header.
int wal_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion < 2) return SQLITE_IOERR_SHMMAP;
    return m->xShmMap(real_of(f), region, size, extend, out);
}

int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
    return m->xShmLock(real_of(f), offset, n, flags);
}

void wal_shm_barrier(sqlite3_file* f) {
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion >= 2) m->xShmBarrier(real_of(f));
}

int wal_shm_unmap(sqlite3_file* f, int delete_flag) {
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion < 2) return SQLITE_OK;
    return m->xShmUnmap(real_of(f), delete_flag);
}

int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    *out = nullptr;  // "no mapping": SQLite then reads with xRead
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion < 3) return SQLITE_OK;
    return m->xFetch(real_of(f), offset, amount, out);
}

int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
    const sqlite3_io_methods* m = real_of(f)->pMethods;
    if (m->iVersion < 3) return SQLITE_OK;
    return m->xUnfetch(real_of(f), offset, page);
}

const sqlite3_io_methods kWalMethods = {
    3,
    wal_close,
    flushed<&sqlite3_io_methods::xRead, void*, int, sqlite3_int64>,
    wal_write,
    flushed<&sqlite3_io_methods::xTruncate, sqlite3_int64>,
    flushed<&sqlite3_io_methods::xSync, int>,
    flushed<&sqlite3_io_methods::xFileSize, sqlite3_int64*>,
    flushed<&sqlite3_io_methods::xLock, int>,
    flushed<&sqlite3_io_methods::xUnlock, int>,
    flushed<&sqlite3_io_methods::xCheckReservedLock, int*>,
    flushed<&sqlite3_io_methods::xFileControl, int, void*>,
    forwarded<&sqlite3_io_methods::xSectorSize>,
    forwarded<&sqlite3_io_methods::xDeviceCharacteristics>,
    wal_shm_map,
    wal_shm_lock,
    wal_shm_barrier,
    wal_shm_unmap,
    wal_fetch,
    wal_unfetch,
};

int shim_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    sqlite3_vfs* base = base_vfs(vfs);
    // Anything but a log is the default VFS's file, in place: no wrapper, no extra call.
    if (!(flags & SQLITE_OPEN_WAL)) return base->xOpen(base, name, file, flags, out_flags);
    auto* w = reinterpret_cast<WalFile*>(file);
    w->real = reinterpret_cast<sqlite3_file*>(w + 1);
    w->held = nullptr;
    w->held_offset = 0;
    w->base.pMethods = nullptr;  // until the real open succeeds, SQLite must not call xClose
    const int rc = base->xOpen(base, name, w->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    w->held = new (std::nothrow) std::string;
    if (!w->held) {
        w->real->pMethods->xClose(w->real);
        return SQLITE_NOMEM;
    }
    w->base.pMethods = &kWalMethods;
    return SQLITE_OK;
}

// The remaining VFS methods are the default VFS's, called with it as their VFS.
int shim_delete(sqlite3_vfs* v, const char* n, int sync_dir) {
    return base_vfs(v)->xDelete(base_vfs(v), n, sync_dir);
}
int shim_access(sqlite3_vfs* v, const char* n, int flags, int* out) {
    return base_vfs(v)->xAccess(base_vfs(v), n, flags, out);
}
int shim_full_pathname(sqlite3_vfs* v, const char* n, int size, char* out) {
    return base_vfs(v)->xFullPathname(base_vfs(v), n, size, out);
}
void* shim_dl_open(sqlite3_vfs* v, const char* n) {
    return base_vfs(v)->xDlOpen(base_vfs(v), n);
}
void shim_dl_error(sqlite3_vfs* v, int size, char* out) {
    base_vfs(v)->xDlError(base_vfs(v), size, out);
}
void (*shim_dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) {
    return base_vfs(v)->xDlSym(base_vfs(v), h, sym);
}
void shim_dl_close(sqlite3_vfs* v, void* h) {
    base_vfs(v)->xDlClose(base_vfs(v), h);
}
int shim_randomness(sqlite3_vfs* v, int size, char* out) {
    return base_vfs(v)->xRandomness(base_vfs(v), size, out);
}
int shim_sleep(sqlite3_vfs* v, int us) {
    return base_vfs(v)->xSleep(base_vfs(v), us);
}
int shim_current_time(sqlite3_vfs* v, double* out) {
    return base_vfs(v)->xCurrentTime(base_vfs(v), out);
}
int shim_last_error(sqlite3_vfs* v, int size, char* out) {
    return base_vfs(v)->xGetLastError ? base_vfs(v)->xGetLastError(base_vfs(v), size, out) : 0;
}
int shim_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
    return base_vfs(v)->xCurrentTimeInt64(base_vfs(v), out);
}

void discard_on_rollback(void* db) {
    sqlite3_file* f = nullptr;
    if (sqlite3_file_control(static_cast<sqlite3*>(db), "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) !=
            SQLITE_OK ||
        !f || f->pMethods != &kWalMethods)
        return;
    auto* w = reinterpret_cast<WalFile*>(f);
    w->held->clear();
}

}  // namespace

bool gather_wal_writes(sqlite3* db) {
    sqlite3_file* main = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &main) != SQLITE_OK || !main ||
        !main->pMethods)
        return false;
    // Without powersafe overwrite SQLite pads a commit to a sector boundary and syncs in the
    // middle of its last frame: the frame's rest would still be held when the commit is
    // published (a `file:…?psow=0` path does that).
    if (!(main->pMethods->xDeviceCharacteristics(main) & SQLITE_IOCAP_POWERSAFE_OVERWRITE))
        return false;
    // Frames of a rolled-back transaction are never written: once the write lock is released,
    // another connection may have put its own frames where they would land.
    sqlite3_rollback_hook(db, discard_on_rollback, db);
    return true;
}

WalWriteCounts wal_write_counts() {
    return {gathered_writes.load(std::memory_order_relaxed),
            file_writes.load(std::memory_order_relaxed)};
}

const char* wal_write_buffer_vfs() {
    static sqlite3_vfs shim;
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
        if (!base) return;
        shim = sqlite3_vfs{};
        shim.iVersion = std::min(base->iVersion, 2);  // no xSetSystemCall & co.
        shim.szOsFile =
            std::max<int>(base->szOsFile, static_cast<int>(sizeof(WalFile)) + base->szOsFile);
        shim.mxPathname = base->mxPathname;
        shim.zName = kName;
        shim.pAppData = base;
        shim.xOpen = shim_open;
        shim.xDelete = shim_delete;
        shim.xAccess = shim_access;
        shim.xFullPathname = shim_full_pathname;
        shim.xDlOpen = base->xDlOpen ? shim_dl_open : nullptr;
        shim.xDlError = base->xDlError ? shim_dl_error : nullptr;
        shim.xDlSym = base->xDlSym ? shim_dl_sym : nullptr;
        shim.xDlClose = base->xDlClose ? shim_dl_close : nullptr;
        shim.xRandomness = shim_randomness;
        shim.xSleep = shim_sleep;
        shim.xCurrentTime = shim_current_time;
        shim.xGetLastError = shim_last_error;
        shim.xCurrentTimeInt64 = base->iVersion >= 2 ? shim_current_time_int64 : nullptr;
        sqlite3_vfs_register(&shim, 0);
    });
    if (!shim.zName) throw StorageError("SQLite has no default VFS to wrap");
    return kName;
}

}  // namespace muster
