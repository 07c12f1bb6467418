#include "tests/support/muster_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

#ifndef MUSTER_BINARY
#error "MUSTER_BINARY must point at build/muster"
#endif

namespace muster::test {

MusterProcess::MusterProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::string& binary) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
    // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
    std::vector<std::string> argv_s = {binary.empty() ? std::string(MUSTER_BINARY) : binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        // The test decides the configuration; the developer's shell must not leak into it.
        if (key == "MUSTER_CONFIG" || key.rfind("SLACK_", 0) == 0 || env.count(key)) continue;
        env_s.push_back(kv);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(err_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[1]);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_thread_ = std::thread([this, fd = out_pipe[0]] { reader(fd, out_, out_closed_); });
    err_thread_ = std::thread([this, fd = err_pipe[0]] { reader(fd, err_, err_closed_); });
}

MusterProcess::~MusterProcess() {
    if (!reaped_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        wait_exit(10'000);
    }
    if (out_thread_.joinable()) out_thread_.join();
    if (err_thread_.joinable()) err_thread_.join();
}

void MusterProcess::reader(int fd, std::string& sink, bool& closed) {
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard<std::mutex> lk(mu_);
        sink.append(buf, static_cast<std::size_t>(n));
        cv_.notify_all();
    }
    close(fd);
    std::lock_guard<std::mutex> lk(mu_);
    closed = true;
    cv_.notify_all();
}

namespace {

int occurrences(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

bool MusterProcess::wait_for(std::string& sink, const std::string& needle, int timeout_ms,
                             int times) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] {
        return occurrences(sink, needle) >= times || (out_closed_ && err_closed_);
    }) && occurrences(sink, needle) >= times;
}

bool MusterProcess::wait_for_stdout(const std::string& needle, int timeout_ms, int times) {
    return wait_for(out_, needle, timeout_ms, times);
}

bool MusterProcess::wait_for_stderr(const std::string& needle, int timeout_ms) {
    return wait_for(err_, needle, timeout_ms);
}

std::uint16_t MusterProcess::wait_listening(int timeout_ms) {
    const std::string marker = "muster listening on http://";
    if (!wait_for(out_, marker, timeout_ms)) return 0;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] {
        const auto p = out_.find(marker);
        return out_.find('\n', p) != std::string::npos;
    });
    const auto p = out_.find(marker);
    const auto line_end = out_.find('\n', p);
    const std::string url = out_.substr(p + marker.size(), line_end - p - marker.size());
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

void MusterProcess::signal(int sig) {
    if (!reaped_) kill(pid_, sig);
}

int MusterProcess::wait_exit(int timeout_ms) {
    if (!reaped_) {
        {
            // The pipes close when the process (and so every thread of it) is gone.
            std::unique_lock<std::mutex> lk(mu_);
            if (!cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                              [&] { return out_closed_ && err_closed_; }))
                return -1;
        }
        int st = 0;
        if (waitpid(pid_, &st, 0) == pid_) {
            reaped_ = true;
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
    return status_;
}

std::string MusterProcess::out() {
    std::lock_guard<std::mutex> lk(mu_);
    return out_;
}

std::string MusterProcess::err() {
    std::lock_guard<std::mutex> lk(mu_);
    return err_;
}

RunResult run_muster(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env, int timeout_ms) {
    MusterProcess p(args, env);
    RunResult r;
    r.exit_code = p.wait_exit(timeout_ms);
    r.out = p.out();
    r.err = p.err();
    return r;
}

}  // namespace muster::test
