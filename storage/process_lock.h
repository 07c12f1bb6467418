// One `muster serve` per database (README "Decisions": the single-process rule). Until storage
// supports several replicas (PostgreSQL), a second process on the same SQLite file would deliver
// every message and page twice. The lock is an OS file lock (flock) on "<database>.lock": the
// kernel releases it on any exit, kill -9 included, so a crash never leaves a stale lock.
#pragma once

#include <string>

namespace muster {

class ProcessLock {
  public:
    // Takes the lock or throws StorageError naming the process that holds it.
    explicit ProcessLock(const std::string& database_path);
    ~ProcessLock();
    ProcessLock(const ProcessLock&) = delete;
    ProcessLock& operator=(const ProcessLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace muster
