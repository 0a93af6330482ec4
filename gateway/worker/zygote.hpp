// The service's handle on a worker zygote (zygote_loop.hpp): one pre-loaded `mugaika-worker --zygote`
// process that forks each confined worker instead of the service exec'ing a new one. The zygote is
// started like a degraded worker (empty environment, its control socket as its only descriptor, dies
// with the thread that started it) and never sees an item. Its workers are the service's own children
// (CLONE_PARENT): killed, waited for and classified exactly like exec'd ones (worker_pool.hpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace mugaika {

class Zygote {
public:
    // Starts `program` with `argv` (the worker's options and --zygote 1) and waits for its word.
    // Throws std::system_error when it cannot be started or does not answer, ZygoteRefused when it
    // says it cannot fork confined copies here.
    static std::unique_ptr<Zygote> start(const std::string& program, const std::vector<std::string>& argv,
                                         std::chrono::milliseconds bound);
    ~Zygote();
    Zygote(const Zygote&) = delete;
    Zygote& operator=(const Zygote&) = delete;

    struct Forked {
        pid_t pid = -1;
        int pidfd = -1;
    };
    // A worker forked into fresh namespaces with `channel` (the worker's end of its job channel; the
    // caller keeps and closes its own copy) as its only descriptor. Throws std::system_error: the
    // kernel refused (clone3's errno; the zygote stays usable) or the zygote broke (it is not usable
    // any more). Thread-safe; requests are served one at a time.
    Forked fork_worker(int channel, std::chrono::milliseconds bound);

    bool usable() const;
    unsigned forks() const;
    pid_t pid() const { return pid_; }
    // Closes the control socket (the zygote exits) and kills it: its pid and pidfd, for the caller to
    // reap. Workers it forked are not affected.
    std::pair<pid_t, int> retire();

private:
    Zygote(pid_t pid, int pidfd, int control) : pid_(pid), pidfd_(pidfd), control_(control) {}
    void broken();

    mutable std::mutex mutex_;
    pid_t pid_;
    int pidfd_;
    int control_;
    unsigned forks_ = 0;
};

class ZygoteRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mugaika
