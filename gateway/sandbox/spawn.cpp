#include "spawn.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mugaika::sandbox {
namespace {

// Async-signal-safe only below: the child is a copy of a multi-threaded process until execve.
bool write_proc(const char* path, const char* data) {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    std::size_t len = std::strlen(data);
    bool ok = ::write(fd, data, len) == static_cast<ssize_t>(len);
    ::close(fd);
    return ok;
}

[[noreturn]] void child(const SpawnRequest& r, char* const* argv, const char* uid_map, const char* gid_map) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);   // the service blocks its control signals in threads
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);            // never outlive the thread that owns the worker
    if (r.isolation == Isolation::full) {
        // Map the service's uid and gid to root inside the new user namespace (the only ids there),
        // so that the worker holds the capabilities it needs to build its root, then drops them all.
        if (!write_proc("/proc/self/setgroups", "deny") || !write_proc("/proc/self/uid_map", uid_map) ||
            !write_proc("/proc/self/gid_map", gid_map))
            ::_exit(126);
    }
    if (r.channel == channel_fd) {
        if (::fcntl(channel_fd, F_SETFD, 0) != 0) ::_exit(126);
    } else if (::dup2(r.channel, channel_fd) != channel_fd) {
        ::_exit(126);
    }
#ifdef MUGAIKA_SANITIZE
    // ASan and UBSan report on stderr: the one allowance of sanitizer builds (docs/service.md).
    ::syscall(SYS_close_range, 0u, 1u, 0u);
#else
    ::syscall(SYS_close_range, 0u, 2u, 0u);
#endif
    if (::syscall(SYS_close_range, static_cast<unsigned>(channel_fd + 1), ~0u, 0u) != 0) ::_exit(126);
    char* const empty_env[] = {nullptr};
    ::execve(r.program.c_str(), argv, empty_env);
    ::_exit(127);
}

}  // namespace

std::string_view to_string(Isolation i) { return i == Isolation::full ? "sandbox" : "degraded"; }

Spawned spawn(const SpawnRequest& r) {
    if (r.program.empty() || r.program[0] != '/') throw std::invalid_argument("sandbox: program must be an absolute path");
    // Everything the child needs is prepared here, before clone: it allocates nothing.
    std::vector<char*> argv;
    for (const auto& a : r.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::string uid_map = "0 " + std::to_string(::geteuid()) + " 1\n";
    std::string gid_map = "0 " + std::to_string(::getegid()) + " 1\n";

    int pidfd = -1;
    clone_args args{};
    args.flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
    if (r.isolation == Isolation::full)
        args.flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
                      CLONE_NEWCGROUP;
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "clone3 (worker namespaces)");
    if (pid == 0) child(r, argv.data(), uid_map.c_str(), gid_map.c_str());
    return {static_cast<pid_t>(pid), pidfd};
}

}  // namespace mugaika::sandbox
