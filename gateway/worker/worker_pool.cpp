#include "worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "sandbox/spawn.hpp"

namespace mugaika {
namespace fs = std::filesystem;

std::string worker_program() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path beside = self.parent_path() / "mugaika-worker";
        if (::access(beside.c_str(), X_OK) == 0) return beside.string();
    }
#ifdef MUGAIKA_WORKER_BUILD_PATH
    // Test builds: the test programs live elsewhere in the build tree than the worker.
    if (::access(MUGAIKA_WORKER_BUILD_PATH, X_OK) == 0) return MUGAIKA_WORKER_BUILD_PATH;
#endif
    throw std::system_error(ENOENT, std::generic_category(),
                            "mugaika-worker not found beside " + (ec ? std::string("this program") : self.string()));
}

WorkerProcess::WorkerProcess(WorkerPool& pool, pid_t pid, int pidfd, int channel, WorkerLimits limits)
    : pool_(pool), pid_(pid), pidfd_(pidfd), channel_(channel), limits_(limits),
      reader_(channel, 1 << 20) {}   // the hello; the result's own limit is set once the job is sent

WorkerProcess::~WorkerProcess() {
    ::close(channel_);
    pool_.released(pid_);
    if (!reaped_) {
        // Never waited on here: tearing down a worker's namespaces takes the kernel a while (RCU grace
        // periods), and that must not hold up the next item. The pool's thread reaps it.
        kill();
        pool_.adopt(pid_, pidfd_);
        return;
    }
    ::close(pidfd_);
}

bool WorkerProcess::alive() const {
    if (reaped_) return false;
    pollfd p{pidfd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
}

void WorkerProcess::kill() {
    if (reaped_) return;
    killed_ = true;
    if (::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0) != 0) ::kill(pid_, SIGKILL);
}

bool WorkerProcess::wait(std::chrono::milliseconds bound) {
    if (reaped_) return true;
    pollfd p{pidfd_, POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (r > 0) break;
        if (r < 0 && errno == EINTR) continue;
        return false;
    }
    pid_t r;
    while ((r = ::wait4(pid_, &status_, WNOHANG, &usage_)) < 0 && errno == EINTR) {}
    if (r != pid_) return false;
    reaped_ = true;
    return true;
}

double WorkerProcess::cpu_seconds() const {
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(usage_.ru_utime) + s(usage_.ru_stime);
}

WorkerPool& WorkerPool::shared() {
    static WorkerPool* pool = new WorkerPool();   // never destroyed: its thread and spares live to exit
    return *pool;
}

WorkerPool::WorkerPool() {
    thread_ = std::thread([this] { loop(); });
    thread_.detach();
}

void WorkerPool::set_spares(unsigned count) {
    std::lock_guard lock(mutex_);
    spares_wanted_ = count;
    cv_.notify_all();
}

std::unique_ptr<WorkerProcess> WorkerPool::spawn(const WorkerLimits& limits) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    sandbox::SpawnRequest r;
    try {
        r.program = worker_program();
    } catch (...) {
        ::close(sv[0]);
        ::close(sv[1]);
        throw;
    }
    r.argv = {"mugaika-worker",
              "--isolation", limits.isolation == WorkerIsolation::degraded ? "degraded" : "sandbox",
              "--memory", std::to_string(limits.address_space_bytes),
              "--cpu", std::to_string(limits.cpu_seconds),
              "--profile", limits.profile};
    for (const auto& p : limits.programs) r.argv.insert(r.argv.end(), {"--program", p});
    r.channel = sv[1];
    r.isolation = limits.isolation == WorkerIsolation::degraded ? sandbox::Isolation::degraded : sandbox::Isolation::full;
    sandbox::Spawned s;
    try {
        s = sandbox::spawn(r);
    } catch (...) {
        ::close(sv[0]);
        ::close(sv[1]);
        throw;
    }
    ::close(sv[1]);
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    return std::make_unique<WorkerProcess>(*this, s.pid, s.pidfd, sv[0], limits);
}

std::unique_ptr<WorkerProcess> WorkerPool::take(const WorkerLimits& limits) {
    std::unique_ptr<WorkerProcess> w;
    std::deque<std::unique_ptr<WorkerProcess>> stale;
    {
        std::lock_guard lock(mutex_);
        if (!current_ || !(*current_ == limits)) {
            // Limits changed (a reload): spares spawned under the old ones are not used.
            current_ = limits;
            stale.swap(spares_);
        }
        while (!spares_.empty() && !w) {
            auto candidate = std::move(spares_.front());
            spares_.pop_front();
            if (candidate->alive()) w = std::move(candidate);
            else stale.push_back(std::move(candidate));
        }
        cv_.notify_all();
    }
    stale.clear();   // killed and reaped outside the lock
    if (!w) w = spawn(limits);
    return w;
}

std::vector<pid_t> WorkerPool::busy() const {
    std::lock_guard lock(mutex_);
    return {busy_.begin(), busy_.end()};
}

void WorkerPool::mark_busy(pid_t pid) {
    std::lock_guard lock(mutex_);
    busy_.insert(pid);
}

void WorkerPool::adopt(pid_t pid, int pidfd) {
    std::lock_guard lock(mutex_);
    orphans_.emplace_back(pid, pidfd);
    cv_.notify_all();
}

void WorkerPool::released(pid_t pid) {
    std::lock_guard lock(mutex_);
    busy_.erase(pid);
}

void WorkerPool::loop() {
    std::unique_lock lock(mutex_);
    while (true) {
        cv_.wait_for(lock, std::chrono::milliseconds(500));
        for (auto it = orphans_.begin(); it != orphans_.end();) {
            int status;
            if (::waitpid(it->first, &status, WNOHANG) == it->first) {
                ::close(it->second);
                it = orphans_.erase(it);
            } else {
                ++it;
            }
        }
        while (current_ && spares_.size() < spares_wanted_) {
            WorkerLimits limits = *current_;
            lock.unlock();
            std::unique_ptr<WorkerProcess> w;
            try {
                w = spawn(limits);
            } catch (const std::exception&) {
                // Reported when an item asks for a worker; do not spin meanwhile.
                lock.lock();
                break;
            }
            lock.lock();
            if (current_ && *current_ == limits) spares_.push_back(std::move(w));
            else {
                lock.unlock();
                w.reset();
                lock.lock();
            }
        }
    }
}

}  // namespace mugaika
