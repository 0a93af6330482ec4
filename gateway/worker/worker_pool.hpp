// Pre-spawned, already confined workers, so that the sandbox costs nothing on an item's critical
// path. Each worker takes exactly one item and exits (nothing of one sender's file survives into the
// next); the pool refills in the background. The parent kills by pid on its own clock, reaps with a
// bounded wait, and never blocks on a child: one that will not go is left to the pool's reaper.
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

    // Internal: a worker that did not die within the bound is reaped later by the pool's thread.
    void adopt(pid_t pid, int pidfd);
    void released(pid_t pid);

private:
    WorkerPool();
    std::unique_ptr<WorkerProcess> spawn(const WorkerLimits& limits);
    void loop();

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    unsigned spares_wanted_ = 2;   // the one-shot commands take items back to back
    std::optional<WorkerLimits> current_;
    std::deque<std::unique_ptr<WorkerProcess>> spares_;
    std::vector<std::pair<pid_t, int>> orphans_;
    std::set<pid_t> busy_;
    std::thread thread_;
};

// The worker executable: `mugaika-worker` beside the running program (test builds also know the
// build tree's). Throws std::system_error when there is none.
std::string worker_program();

}  // namespace mugaika
