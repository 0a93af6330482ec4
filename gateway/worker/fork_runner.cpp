#include "fork_runner.hpp"

#include "mugaika/reasons.hpp"

#ifdef MUGAIKA_TEST_HOOKS
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#endif

namespace mugaika {

#ifndef MUGAIKA_TEST_HOOKS

std::string run_forked(const std::function<std::string()>&, const WorkerLimits&) {
    throw WorkerFailure(std::string(reason::internal), "isolation \"fork\" exists only in test builds");
}

#else

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

}  // namespace

std::string run_forked(const std::function<std::string()>& job, const WorkerLimits& limits) {
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
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        set_limit(RLIMIT_CORE, 0);
        set_limit(RLIMIT_CPU, limits.cpu_seconds);
#ifndef MUGAIKA_SANITIZE
        set_limit(RLIMIT_AS, limits.address_space_bytes);
#endif
        int code = 0;
        try {
            code = write_all(fds[1], job()) ? 0 : 3;
        } catch (const std::bad_alloc&) {
            code = 4;
        } catch (...) {
            code = 5;
        }
        ::_exit(code);
    }
    ::close(fds[1]);
    auto deadline = std::chrono::steady_clock::now() + limits.wall;
    std::string result;
    bool timed_out = false;
    char buf[1 << 16];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) { timed_out = true; break; }
        pollfd p{fds[0], POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (r <= 0) continue;
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        result.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (timed_out) throw WorkerFailure(std::string(reason::limit_time), "forked child exceeded its wall clock");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw WorkerFailure(std::string(reason::worker_crash), "forked child failed", true);
    return result;
}

#endif

}  // namespace mugaika
