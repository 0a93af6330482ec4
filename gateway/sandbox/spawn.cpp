#include "spawn.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mugaika::sandbox {
namespace {

// Async-signal-safe only below, up to execve: in spawn() the child is a copy of a multi-threaded
// process.
bool write_proc(const char* path, const char* data) {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    std::size_t len = std::strlen(data);
    bool ok = ::write(fd, data, len) == static_cast<ssize_t>(len);
    ::close(fd);
    return ok;
}

// What the child is given before it runs anything of its own: default signals, death with its
// parent's thread, its identity in the new user namespace, and `channel` as its one descriptor.
bool prepare_child(int channel, Isolation isolation, const char* uid_map, const char* gid_map) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);   // the service blocks its control signals in threads
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);            // never outlive the thread that owns the worker
    if (isolation == Isolation::full) {
        // Map the service's uid and gid to root inside the new user namespace (the only ids there),
        // so that the worker holds the capabilities it needs to build its root, then drops them all.
        if (!write_proc("/proc/self/setgroups", "deny") || !write_proc("/proc/self/uid_map", uid_map) ||
            !write_proc("/proc/self/gid_map", gid_map))
            return false;
    }
    if (channel == channel_fd) {
        if (::fcntl(channel_fd, F_SETFD, 0) != 0) return false;
    } else if (::dup2(channel, channel_fd) != channel_fd) {
        return false;
    }
#ifdef MUGAIKA_SANITIZE
    // ASan and UBSan report on stderr: the one allowance of sanitizer builds (docs/service.md).
    ::syscall(SYS_close_range, 0u, 1u, 0u);
#else
    ::syscall(SYS_close_range, 0u, 2u, 0u);
#endif
    return ::syscall(SYS_close_range, static_cast<unsigned>(channel_fd + 1), ~0u, 0u) == 0;
}

struct IdMaps {
    std::string uid, gid;
};

// Computed before clone: the child allocates nothing, and in its new user namespace its own ids read
// as the overflow id until the map is written.
IdMaps id_maps() { return {"0 " + std::to_string(::geteuid()) + " 1\n", "0 " + std::to_string(::getegid()) + " 1\n"}; }

// clone3 into the sandbox's namespaces: the child's pid and pidfd in the caller, 0 in the child.
long clone_child(Isolation isolation, bool sibling, int* pidfd) {
    clone_args args{};
    args.flags = CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
    if (isolation == Isolation::full)
        args.flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
                      CLONE_NEWCGROUP;
    // A sibling's exit is signalled to the shared parent as the caller's own would be (SIGCHLD, as
    // spawn started the zygote); the kernel takes the signal from the caller then.
    if (sibling) args.flags |= CLONE_PARENT;
    else args.exit_signal = SIGCHLD;
    args.pidfd = reinterpret_cast<std::uint64_t>(pidfd);
    return ::syscall(SYS_clone3, &args, sizeof args);
}

// glibc keeps each thread's kernel thread id in its thread descriptor (struct pthread, where
// pthread_self() points): fork() refreshes it in the child, a raw clone3 cannot know where it is.
// Left stale, the copy would carry the zygote's id into mutex ownership (glibc's recursive loader lock)
// and into thread-directed calls (pthread_setschedparam on itself would reach the zygote). Its place
// is fixed per architecture since glibc 2.26 (after the TCB header and the thread list), as Chromium's
// zygote also relies on; fork_confined_possible() checks it holds this thread's id before any use.
#if defined(__GLIBC__) && defined(__x86_64__)
constexpr std::ptrdiff_t glibc_tid_offset = 704 + 2 * sizeof(void*);
#elif defined(__GLIBC__) && defined(__aarch64__)
constexpr std::ptrdiff_t glibc_tid_offset = 24 * sizeof(void*) + 2 * sizeof(void*);
#else
constexpr std::ptrdiff_t glibc_tid_offset = -1;
#endif

pid_t* glibc_tid_slot() {
    if (glibc_tid_offset < 0) return nullptr;
    return reinterpret_cast<pid_t*>(reinterpret_cast<char*>(::pthread_self()) + glibc_tid_offset);
}

bool fork_confined_checked = false;   // per process: only the zygote ever sets it

[[noreturn]] void exec_child(const SpawnRequest& r, char* const* argv, const IdMaps& maps) {
    if (!prepare_child(r.channel, r.isolation, maps.uid.c_str(), maps.gid.c_str())) ::_exit(126);
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
    IdMaps maps = id_maps();
    int pidfd = -1;
    long pid = clone_child(r.isolation, false, &pidfd);
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "clone3 (worker namespaces)");
    if (pid == 0) exec_child(r, argv.data(), maps);
    return {static_cast<pid_t>(pid), pidfd};
}

Connected spawn_connected(SpawnRequest request, int socket_type) {
    int sv[2];
    if (::socketpair(AF_UNIX, socket_type | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    request.channel = sv[1];
    Connected c;
    try {
        c.process = spawn(request);
    } catch (...) {
        ::close(sv[0]);
        ::close(sv[1]);
        throw;
    }
    ::close(sv[1]);
    c.channel = sv[0];
    return c;
}

bool fork_confined_possible(std::string& why) {
    int threads = thread_count();
    if (threads != 1) {
        why = "a zygote must be single-threaded (found " + std::to_string(threads) + " threads)";
        return false;
    }
    pid_t* slot = glibc_tid_slot();
    if (!slot || *slot != static_cast<pid_t>(::syscall(SYS_gettid))) {
        why = "the C library's thread id is not where a forked copy can refresh it";
        return false;
    }
    fork_confined_checked = true;
    return true;
}

bool libc_thread_id_current() {
    pid_t* slot = glibc_tid_slot();
    return slot && *slot == static_cast<pid_t>(::syscall(SYS_gettid));
}

Spawned fork_confined(int channel, Isolation isolation) {
    if (!fork_confined_checked) throw std::system_error(EPERM, std::generic_category(), "fork_confined unchecked");
    IdMaps maps = id_maps();
    int pidfd = -1;
    long pid = clone_child(isolation, true, &pidfd);
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "clone3 (worker namespaces, from the zygote)");
    if (pid > 0) return {static_cast<pid_t>(pid), pidfd};
    *glibc_tid_slot() = static_cast<pid_t>(::syscall(SYS_gettid));
    if (!prepare_child(channel, isolation, maps.uid.c_str(), maps.gid.c_str())) ::_exit(126);
    return {0, -1};
}

}  // namespace mugaika::sandbox
