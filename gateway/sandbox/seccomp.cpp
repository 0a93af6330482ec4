#include "seccomp.hpp"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "sandbox.hpp"

namespace mugaika::sandbox {
namespace {

// What the disarm code calls once it is confined: memory, its channel, time, threads, read-only
// files under the new root (fonts, charset modules), and nothing that reaches another process, the
// network or a writable file. Names unknown to the architecture are skipped.
const char* const disarm_calls[] = {
    "read", "write", "readv", "writev", "pread64", "preadv", "preadv2", "close", "lseek",
    "fstat", "newfstatat", "stat", "lstat", "statx", "fstatfs", "statfs", "getdents64", "getdents",
    "readlink", "readlinkat", "access", "faccessat", "faccessat2", "getcwd", "fcntl", "fadvise64",
    "dup", "dup3", "poll", "ppoll", "eventfd2",
    "mmap", "munmap", "mremap", "brk", "mprotect", "madvise",
    "futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "getrandom", "exit", "exit_group", "rt_sigreturn", "rt_sigprocmask", "sigaltstack", "restart_syscall",
    "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
    "uname", "sched_getaffinity", "sched_yield", "sched_getparam", "sched_getscheduler", "sysinfo",
    "getrlimit", "getrusage", "times", "capget",
};

// Added for a worker that starts converters (converter.hpp): process creation and its plumbing.
const char* const converter_host_calls[] = {
    "fork", "vfork", "execve", "arch_prctl", "wait4", "waitid", "kill", "pipe2", "dup2", "close_range",
    "setrlimit", "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
};

// Added for LibreOffice (the "office" profile, a converter that runs in-process through
// LibreOfficeKit): writing and renaming files (Landlock and the read-only root confine writes to its
// private /tmp), threads' plumbing, an internal socketpair, page locking (gpgme's secure memory).
const char* const office_calls[] = {
    "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat",
    "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "umask",
    "ftruncate", "truncate", "fsync", "fdatasync", "sync_file_range", "fallocate", "pwrite64", "pwritev", "pwritev2",
    "utimensat", "flock", "chdir", "fchdir", "msync", "mincore", "mlock", "munlock", "mlock2",
    "pipe", "pipe2", "dup2", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "timerfd_create", "timerfd_settime", "timerfd_gettime", "sendmsg", "recvmsg", "sendto",
    "recvfrom", "shutdown", "rt_sigtimedwait", "rt_sigsuspend", "getitimer", "setitimer", "alarm",
    "getpriority", "setpriority", "sched_setaffinity", "sched_get_priority_max", "sched_get_priority_min",
    "sched_setparam", "sched_setscheduler", "membarrier", "get_mempolicy", "getppid", "getpgrp", "getsid",
    "memfd_create", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
};

int g_report_fd = -1;

void put_u32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Runs on the trapped thread. Only raw system calls that the filter allows, then the one call the
// filter answers with KILL_PROCESS: the process dies with status SIGSYS.
void on_sigsys(int, siginfo_t* info, void*) {
    unsigned char frame[sigsys_frame_size] = {'M', 'G', 'K', 'S'};
    put_u32(frame + 4, static_cast<std::uint32_t>(info->si_syscall));
    put_u32(frame + 8, info->si_arch);
    if (g_report_fd >= 0) (void)::syscall(SYS_write, g_report_fd, frame, sizeof frame);
    struct {
        void* handler;
        unsigned long flags;
        void* restorer;
        unsigned long mask;
    } dfl{nullptr, 0, nullptr, 0};
    ::syscall(SYS_rt_sigaction, SIGSYS, &dfl, nullptr, sizeof(unsigned long));
    ::syscall(SYS_exit_group, 128 + SIGSYS);   // not reached once the filter is loaded
}

struct Ctx {
    scmp_filter_ctx ctx;
    ~Ctx() { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
    if (rc < 0) throw SandboxError("seccomp: " + what + ": " + std::strerror(-rc));
}

int add(scmp_filter_ctx ctx, std::uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> args = {}) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0;   // not on this architecture
    check(seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.begin()), name);
    return 1;
}

}  // namespace

std::vector<std::string> seccomp_profiles() { return {"disarm", "converter-host", "converter", "office"}; }

int load_seccomp(const std::string& profile, int report_fd) {
    bool host = profile == "converter-host", office = profile == "office";
    if (profile != "disarm" && profile != "converter" && !host && !office)
        throw SandboxError("unknown seccomp profile '" + profile + "'");
    Ctx c{seccomp_init(SCMP_ACT_TRAP)};
    if (!c.ctx) throw SandboxError("seccomp: seccomp_init failed");
    check(seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "bad-arch action");
    check(seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_TSYNC, 1), "tsync");
    int rules = 0;
    for (const char* name : disarm_calls) rules += add(c.ctx, SCMP_ACT_ALLOW, name);
    if (host)
        for (const char* name : converter_host_calls) rules += add(c.ctx, SCMP_ACT_ALLOW, name);
    // A converter's own filter is loaded just before its execve: it must allow that one (Landlock
    // decides which programs); it never forks (threads only, below).
    if (profile == "converter")
        for (const char* name : {"execve", "arch_prctl", "pipe2"}) rules += add(c.ctx, SCMP_ACT_ALLOW, name);

    if (office) {
        for (const char* name : office_calls) rules += add(c.ctx, SCMP_ACT_ALLOW, name);
        // Its own socketpairs only; any other socket (the name service's, the network) is refused with
        // EACCES, which LibreOffice takes as "not there" (no network namespace needed for this wall).
        rules += add(c.ctx, SCMP_ACT_ALLOW, "socketpair", {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)});
        rules += add(c.ctx, SCMP_ACT_ERRNO(EACCES), "socket");
        // gpgme (signature checks of a PDF export) forks to run gpgconf: refused, and LibreOffice goes on
        // without it. execve stays trapped: nothing LibreOffice does needs it once fork is refused.
        for (const char* name : {"fork", "vfork"}) rules += add(c.ctx, SCMP_ACT_ERRNO(EPERM), name);
        rules += add(c.ctx, SCMP_ACT_ERRNO(EPERM), "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)});
    }

    // Files: read-only opens only (the root is read-only too; this is the second wall). The office
    // profile writes its profile folder and documents: there Landlock (writes beneath the private /tmp
    // only) and the read-only root are the walls.
    const scmp_datum_t write_bits = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
    if (office) {
        rules += add(c.ctx, SCMP_ACT_ALLOW, "openat");
        rules += add(c.ctx, SCMP_ACT_ALLOW, "open");
        rules += add(c.ctx, SCMP_ACT_ALLOW, "creat");
    } else {
        rules += add(c.ctx, SCMP_ACT_ALLOW, "openat", {SCMP_A2(SCMP_CMP_MASKED_EQ, write_bits, O_RDONLY)});
        rules += add(c.ctx, SCMP_ACT_ALLOW, "open", {SCMP_A1(SCMP_CMP_MASKED_EQ, write_bits, O_RDONLY)});
    }
    rules += add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2");   // glibc falls back to openat
    // Threads yes, processes no (unless the profile starts converters). clone3's flags sit in memory a
    // filter cannot read: it answers ENOSYS and glibc falls back to clone, whose flags it can.
    if (host) rules += add(c.ctx, SCMP_ACT_ALLOW, "clone");
    else {
        // A thread, and nothing that would also make a namespace (those need capabilities it has not,
        // but the filter need not rely on that).
        const scmp_datum_t mask = CLONE_THREAD | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                  CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
        rules += add(c.ctx, SCMP_ACT_ALLOW, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, mask, CLONE_THREAD)});
    }
    rules += add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
    rules += add(c.ctx, SCMP_ACT_ERRNO(ENOTTY), "ioctl");   // isatty() probes; no device is reachable
    // GLib asks whether stderr is the journal before it logs a warning: not a socket, whatever it is.
    for (const char* name : {"getpeername", "getsockname", "getsockopt"}) rules += add(c.ctx, SCMP_ACT_ERRNO(ENOTSOCK), name);
    // Signals: only to itself (abort, raise); nothing else is visible in its PID namespace anyway.
    rules += add(c.ctx, SCMP_ACT_ALLOW, "tgkill", {SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid()))});
    // The SIGSYS reporter must stay in place: any sigaction on SIGSYS kills at once (the reporter's
    // own last call is exactly that).
    rules += add(c.ctx, SCMP_ACT_ALLOW, "rt_sigaction", {SCMP_A0(SCMP_CMP_NE, SIGSYS)});
    // LibreOffice installs its crash handler for every signal at start: for SIGSYS it gets EINVAL
    // (and goes on), so the reporter stays; anything else touching SIGSYS is killed.
    rules += add(c.ctx, office ? SCMP_ACT_ERRNO(EINVAL) : SCMP_ACT_KILL_PROCESS, "rt_sigaction", {SCMP_A0(SCMP_CMP_EQ, SIGSYS)});
    // Reading limits, not raising them (glibc's pthread_create asks for the stack limit).
    if (office) {
        // LibreOffice raises its soft limit of descriptors to the hard one (which it cannot exceed).
        rules += add(c.ctx, SCMP_ACT_ALLOW, "prlimit64", {SCMP_A0(SCMP_CMP_EQ, 0)});
        rules += add(c.ctx, SCMP_ACT_ALLOW, "setrlimit");
    } else if (!host) rules += add(c.ctx, SCMP_ACT_ALLOW, "prlimit64", {SCMP_A2(SCMP_CMP_EQ, 0)});
    else rules += add(c.ctx, SCMP_ACT_ALLOW, "prlimit64");
    for (int option : {PR_GET_NO_NEW_PRIVS, PR_GET_DUMPABLE, PR_GET_SECCOMP, PR_SET_NAME, PR_GET_NAME, PR_CAPBSET_READ})
        rules += add(c.ctx, SCMP_ACT_ALLOW, "prctl", {SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(option))});
    if (host)
        for (int option : {PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG})
            rules += add(c.ctx, SCMP_ACT_ALLOW, "prctl", {SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(option))});

    if (report_fd >= 0) {
        // A stacked filter (a converter, report_fd < 0) keeps no handler: its execve resets it anyway,
        // and the worker's filter forbids touching SIGSYS.
        g_report_fd = report_fd;
        struct sigaction sa{};
        sa.sa_sigaction = on_sigsys;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (::sigaction(SIGSYS, &sa, nullptr) != 0) throw SandboxError("seccomp: cannot install the SIGSYS reporter");
        sigset_t sys;
        sigemptyset(&sys);
        sigaddset(&sys, SIGSYS);
        ::sigprocmask(SIG_UNBLOCK, &sys, nullptr);
    }
    check(seccomp_load(c.ctx), "load");
    return rules;
}

std::string syscall_name(std::uint32_t arch, int number) {
    std::unique_ptr<char, decltype(&std::free)> name(seccomp_syscall_resolve_num_arch(arch, number), &std::free);
    if (name) return name.get();
    return "syscall " + std::to_string(number);
}

}  // namespace mugaika::sandbox
