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
#include "service/log.hpp"

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

namespace {

// A worker's options as its command line says them (the zygote's: the same, and --zygote 1).
std::vector<std::string> worker_argv(const WorkerLimits& limits) {
    std::vector<std::string> argv = {"mugaika-worker",
                                     "--isolation", limits.isolation == WorkerIsolation::degraded ? "degraded" : "sandbox",
                                     "--memory", std::to_string(limits.address_space_bytes),
                                     "--cpu", std::to_string(limits.cpu_seconds),
                                     "--profile", limits.profile};
    for (const auto& p : limits.programs) argv.insert(argv.end(), {"--program", p});
    return argv;
}

// A zygote forks in a few milliseconds; beyond this it is broken, and the item's worker is exec'd.
constexpr auto zygote_answer_bound = std::chrono::seconds(10);
// Loading the libraries and libmagic's database once, as a worker's start does.
constexpr auto zygote_start_bound = std::chrono::seconds(60);
// After a zygote failed to start: exec'd workers meanwhile, another try after this.
constexpr auto zygote_retry_after = std::chrono::seconds(30);

}  // namespace

std::unique_ptr<WorkerProcess> WorkerPool::fork_from_zygote(const WorkerLimits& limits) {
    std::shared_ptr<Zygote> z;
    {
        std::lock_guard lock(mutex_);
        if (zygote_ && zygote_limits_ && *zygote_limits_ == limits) z = zygote_;
    }
    if (!z || !z->usable()) return nullptr;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    Zygote::Forked f;
    try {
        f = z->fork_worker(sv[1], zygote_answer_bound);
    } catch (const std::system_error& e) {
        ::close(sv[0]);
        ::close(sv[1]);
        // The kernel's refusal (no namespaces left) would be the exec'd worker's too; a broken zygote
        // is replaced by the pool's thread. Either way this item's worker is exec'd.
        log::warn(std::string("worker zygote: ") + e.what() + (z->usable() ? "" : "; replacing it"));
        std::lock_guard lock(mutex_);
        cv_.notify_all();
        return nullptr;
    }
    ::close(sv[1]);
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    return std::make_unique<WorkerProcess>(*this, f.pid, f.pidfd, sv[0], limits);
}

std::unique_ptr<WorkerProcess> WorkerPool::spawn(const WorkerLimits& limits) {
    if (auto forked = fork_from_zygote(limits)) return forked;
    sandbox::SpawnRequest r;
    r.program = worker_program();
    r.argv = worker_argv(limits);
    r.isolation = limits.isolation == WorkerIsolation::degraded ? sandbox::Isolation::degraded : sandbox::Isolation::full;
    sandbox::Connected c = sandbox::spawn_connected(std::move(r), SOCK_STREAM);
    ::fcntl(c.channel, F_SETFL, ::fcntl(c.channel, F_GETFL) | O_NONBLOCK);
    return std::make_unique<WorkerProcess>(*this, c.process.pid, c.process.pidfd, c.channel, limits);
}

// On the pool's thread only: the zygote is started here so that it, and through CLONE_PARENT every
// worker it forks, dies with this thread (PR_SET_PDEATHSIG), which lives as long as the process.
void WorkerPool::keep_zygote(std::unique_lock<std::mutex>& lock) {
    if (!current_ || current_->isolation == WorkerIsolation::fork || takes_ < 2) return;
    if (zygote_refused_ && *zygote_refused_ == *current_) return;
    bool fit = zygote_ && zygote_limits_ && *zygote_limits_ == *current_ && zygote_->usable() &&
               zygote_->forks() < zygote_budget_;
    if (fit) return;
    if (zygote_failed_ && *zygote_failed_ == *current_ && std::chrono::steady_clock::now() < zygote_retry_) return;
    WorkerLimits limits = *current_;
    lock.unlock();
    std::shared_ptr<Zygote> fresh;
    std::string refused;
    try {
        std::vector<std::string> argv = worker_argv(limits);
        argv.insert(argv.end(), {"--zygote", "1"});
        fresh = Zygote::start(worker_program(), argv, zygote_start_bound);
    } catch (const ZygoteRefused& e) {
        refused = e.what();
    } catch (const std::exception& e) {
        log::warn(std::string("worker zygote could not start (workers are exec'd one by one meanwhile): ") + e.what());
    }
    lock.lock();
    if (!refused.empty()) {
        log::warn("worker zygote refused (" + refused + "): every worker is exec'd, at about 60 ms of CPU each");
        zygote_refused_ = limits;
        return;
    }
    if (!fresh) {
        zygote_failed_ = limits;
        zygote_retry_ = std::chrono::steady_clock::now() + zygote_retry_after;
        return;
    }
    log::info("worker zygote ready (pid " + std::to_string(fresh->pid()) + "): workers are forked from it, " +
              std::to_string(zygote_budget_) + " before it is replaced");
    std::shared_ptr<Zygote> old = std::move(zygote_);
    zygote_ = std::move(fresh);
    zygote_limits_ = limits;
    if (old) orphans_.push_back(old->retire());
}

pid_t WorkerPool::zygote_pid() const {
    std::lock_guard lock(mutex_);
    return zygote_ && zygote_limits_ && current_ && *zygote_limits_ == *current_ && zygote_->usable() ? zygote_->pid() : 0;
}

void WorkerPool::set_zygote_budget(unsigned workers) {
    std::lock_guard lock(mutex_);
    zygote_budget_ = std::max(1u, workers);
    cv_.notify_all();
}

std::unique_ptr<WorkerProcess> WorkerPool::take(const WorkerLimits& limits) {
    std::unique_ptr<WorkerProcess> w;
    std::deque<std::unique_ptr<WorkerProcess>> stale;
    {
        std::lock_guard lock(mutex_);
        if (!current_ || !(*current_ == limits)) {
            // Limits changed (a reload): spares spawned under the old ones are not used.
            current_ = limits;
            takes_ = 0;
            stale.swap(spares_);
        }
        ++takes_;
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
        keep_zygote(lock);
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
