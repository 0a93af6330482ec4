// Pre-spawned, already confined workers, so that the sandbox costs nothing on an item's critical
// path. Each worker takes exactly one item and exits (nothing of one sender's file survives into the
// next); the pool refills in the background. The parent kills by pid on its own clock, reaps with a
// bounded wait, and never blocks on a child: one that will not go is left to the pool's reaper.
// Workers are forked by the pool's zygote (zygote.hpp) once it is ready: a fork instead of an exec
// that maps and relocates every shared library again. Until then, and whenever the zygote is broken or
// refused, a worker is exec'd as before; the pool's thread starts a zygote for the limits in force once
// a second worker is taken under them (a one-shot command that disarms one file, or `selftest`, never
// pays for one), and replaces it after `zygote_budget` workers (a fresh address-space layout).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channel.hpp"
#include "isolated.hpp"
#include "zygote.hpp"

namespace mugaika {

class WorkerPool;

// One spawned worker. Destroying it kills the process if it is still there and reaps it.
class WorkerProcess {
public:
    WorkerProcess(WorkerPool& pool, pid_t pid, int pidfd, int channel, WorkerLimits limits);
    ~WorkerProcess();
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;

    pid_t pid() const { return pid_; }
    int channel() const { return channel_; }
    const WorkerLimits& limits() const { return limits_; }
    worker::Reader& reader() { return reader_; }

    bool alive() const;                             // not exited yet (never blocks)
    void kill();                                    // SIGKILL by pid (still ours: not reaped)
    bool wait(std::chrono::milliseconds bound);     // reaped within the bound?
    bool reaped() const { return reaped_; }
    int status() const { return status_; }          // wait status, once reaped
    double cpu_seconds() const;                     // user + system, once reaped
    bool killed_by_us() const { return killed_; }

private:
    WorkerPool& pool_;
    pid_t pid_;
    int pidfd_;
    int channel_;
    WorkerLimits limits_;
    worker::Reader reader_;
    bool reaped_ = false, killed_ = false;
    int status_ = 0;
    rusage usage_{};
};

class WorkerPool {
public:
    static WorkerPool& shared();   // one per process, never destroyed (its thread owns the spares)

    void set_spares(unsigned count);
    // A worker for `limits` (a spare when one is ready, else spawned now). Throws std::system_error
    // when no worker can be spawned (no namespaces, no executable).
    std::unique_ptr<WorkerProcess> take(const WorkerLimits& limits);
    // Pids of workers running a job (confined, the job sent) and not yet destroyed (tests).
    std::vector<pid_t> busy() const;
    void mark_busy(pid_t pid);

    // The zygote's pid (0: none running for the limits in force) and how many workers a zygote forks
    // before it is replaced (tests, docs/service.md).
    pid_t zygote_pid() const;
    void set_zygote_budget(unsigned workers);

    // Internal: a worker that did not die within the bound is reaped later by the pool's thread.
    void adopt(pid_t pid, int pidfd);
    void released(pid_t pid);

private:
    WorkerPool();
    std::unique_ptr<WorkerProcess> spawn(const WorkerLimits& limits);
    std::unique_ptr<WorkerProcess> fork_from_zygote(const WorkerLimits& limits);
    void keep_zygote(std::unique_lock<std::mutex>& lock);
    void loop();

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    unsigned spares_wanted_ = 2;   // the one-shot commands take items back to back
    std::optional<WorkerLimits> current_;
    unsigned takes_ = 0;   // workers taken under current_: a zygote only once a second one is wanted
    std::deque<std::unique_ptr<WorkerProcess>> spares_;
    std::vector<std::pair<pid_t, int>> orphans_;
    std::set<pid_t> busy_;
    std::shared_ptr<Zygote> zygote_;
    std::optional<WorkerLimits> zygote_limits_;   // what zygote_ was started with
    std::optional<WorkerLimits> zygote_refused_;  // limits under which a zygote refused: exec only
    std::optional<WorkerLimits> zygote_failed_;   // limits under which a zygote failed to start...
    std::chrono::steady_clock::time_point zygote_retry_{};   // ...and when to try them again
    unsigned zygote_budget_ = 256;
    std::thread thread_;
};

// The worker executable: `mugaika-worker` beside the running program (test builds also know the
// build tree's). Throws std::system_error when there is none.
std::string worker_program();

}  // namespace mugaika
