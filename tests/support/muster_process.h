// Runs the real build/muster binary as a child process for end-to-end tests: captures stdout and
// stderr, waits for lines without sleeping, sends signals, collects the exit status.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace muster::test {

struct RunResult {
    int exit_code = -1;
    std::string out, err;
};

// Runs muster to completion (for CLI verbs).
RunResult run_muster(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {}, int timeout_ms = 30'000);

class MusterProcess {
  public:
    // `binary`: another program to run the same way instead of build/muster (the real
    // Alertmanager in its end-to-end test), so its output is waited for without sleeping too.
    MusterProcess(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {},
                  const std::string& binary = "");
    ~MusterProcess();
    MusterProcess(const MusterProcess&) = delete;
    MusterProcess& operator=(const MusterProcess&) = delete;

    // Waits for "muster listening on http://…:PORT" and returns the port (0 if it never came).
    std::uint16_t wait_listening(int timeout_ms = 20'000);
    // Waits until `needle` has appeared `times` times in stdout (the output so far included).
    bool wait_for_stdout(const std::string& needle, int timeout_ms = 10'000, int times = 1);
    bool wait_for_stderr(const std::string& needle, int timeout_ms = 10'000);
    void signal(int sig);
    // Exit code, 128+signal if killed by a signal, or -1 on timeout.
    int wait_exit(int timeout_ms = 20'000);
    std::string out();
    std::string err();
    pid_t pid() const { return pid_; }

  private:
    void reader(int fd, std::string& sink, bool& closed);
    bool wait_for(std::string& sink, const std::string& needle, int timeout_ms, int times = 1);

    pid_t pid_ = -1;
    int status_ = -1;
    bool reaped_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::string out_, err_;
    bool out_closed_ = false, err_closed_ = false;
    std::thread out_thread_, err_thread_;
};

}  // namespace muster::test
