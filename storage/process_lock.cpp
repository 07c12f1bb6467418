#include "storage/process_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/database.h"

namespace muster {

ProcessLock::ProcessLock(const std::string& database_path) {
    const std::string path = database_path + ".lock";
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw StorageError("cannot open the lock file " + path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char holder[32] = {0};
        const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
        ::close(fd_);
        fd_ = -1;
        if (err != EWOULDBLOCK)
            throw StorageError("cannot lock " + path + ": " + std::strerror(err));
        std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "";
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
        throw StorageError("another muster serve" + (pid.empty() ? "" : " (pid " + pid + ")") +
                           " is using " + database_path +
                           "; one process per database (two would send every page twice)");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
        (void)written;  // the pid is only for the message above
    }
}

ProcessLock::~ProcessLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace muster
