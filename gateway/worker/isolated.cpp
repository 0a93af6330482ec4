#include "isolated.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika {
namespace {

void set_limit(int resource, std::uint64_t value) {
    rlimit rl{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
    ::setrlimit(resource, &rl);
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

[[noreturn]] void child_main(int out_fd, const std::function<std::string()>& job, const WorkerLimits& limits) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);          // never outlive the service
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    // No network for parsers: a private, empty network namespace where we may create one (root or
    // user namespaces); where we may not, the service's own confinement (systemd unit) applies.
    // Unprivileged (the systemd unit runs as its own user), a new user namespace makes the network
    // namespace possible; the child is single-threaded here, as CLONE_NEWUSER requires.
    if (::unshare(CLONE_NEWNET) != 0) (void)::unshare(CLONE_NEWUSER | CLONE_NEWNET);
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_CPU, limits.cpu_seconds);
#ifndef MUGAIKA_SANITIZE
    set_limit(RLIMIT_AS, limits.address_space_bytes);   // ASan reserves terabytes of address space
#endif
    int code = 0;
    try {
        std::string result = job();
        code = write_all(out_fd, result) ? 0 : 3;
    } catch (const std::bad_alloc&) {
        code = 4;
    } catch (...) {
        code = 5;
    }
    ::close(out_fd);
    ::_exit(code);
}

}  // namespace

std::string run_isolated(const std::function<std::string()>& job, const WorkerLimits& limits) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    pid_t pid = ::fork();
    if (pid < 0) {
        int e = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::system_error(e, std::generic_category(), "fork");
    }
    if (pid == 0) {
        ::close(fds[0]);
        child_main(fds[1], job, limits);
    }
    ::close(fds[1]);

    auto deadline = std::chrono::steady_clock::now() + limits.wall;
    std::string result;
    bool timed_out = false, too_big = false;
    char buf[1 << 16];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) { timed_out = true; break; }
        pollfd p{fds[0], POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;   // EOF: the child closed its end (done or dead)
        if (result.size() + static_cast<std::size_t>(n) > limits.max_result_bytes) { too_big = true; break; }
        result.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (timed_out || too_big) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

    if (timed_out) throw WorkerFailure(std::string(reason::limit_time), "worker exceeded its wall-clock budget");
    if (too_big) throw WorkerFailure(std::string(reason::limit_size), "worker result exceeds the limit");
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL)
            throw WorkerFailure(std::string(reason::limit_time), std::string("worker stopped by ") + strsignal(sig));
        throw WorkerFailure(std::string(reason::worker_crash), std::string("worker died of ") + strsignal(sig));
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 4) throw WorkerFailure(std::string(reason::limit_memory), "worker ran out of memory");
    if (code != 0) throw WorkerFailure(std::string(reason::worker_crash), "worker exited with status " + std::to_string(code));
    return result;
}

Outcome quarantined_outcome(std::string_view bytes, std::string_view name, std::string code, std::string detail) {
    Outcome o;
    o.input_name = std::string(name);
    o.input_size = bytes.size();
    o.input_sha256 = sha256_hex(bytes);
    o.detected_type = "unknown";   // detection ran in the child that failed; the parent never parses input
    o.verdict = Verdict::quarantined;
    o.reason = std::move(code);
    o.reason_detail = std::move(detail);
    return o;
}

Outcome process_isolated(const Engine& engine, std::string_view bytes, std::string_view name,
                         const WorkerLimits& limits, const ItemSecrets& secrets) {
    try {
        std::string encoded =
            run_isolated([&] { return encode_outcome(engine.process(bytes, name, secrets)); }, limits);
        return decode_outcome(encoded);
    } catch (const WorkerFailure& e) {
        return quarantined_outcome(bytes, name, e.code(), e.what());
    } catch (const std::system_error&) {
        throw;   // our own trouble (no fork): the caller answers "try again", never "clean"
    } catch (const std::exception& e) {
        return quarantined_outcome(bytes, name, std::string(reason::worker_crash),
                                   std::string("unreadable worker result: ") + e.what());
    }
}

}  // namespace mugaika
