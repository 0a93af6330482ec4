#include "converter.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "seccomp.hpp"

namespace mugaika::sandbox {

pid_t start_converter(const ConverterSpec& spec) {
    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = ::fork();   // the worker is single-threaded while it runs a converter
    if (pid < 0) throw SandboxError(std::string("converter: fork: ") + std::strerror(errno));
    if (pid > 0) return pid;
    ::prctl(PR_SET_PDEATHSIG, 9);
    // Moved out of the way first: either may already sit on 0 or 1 (a worker has no stdio of its own).
    int in = ::fcntl(spec.stdin_fd, F_DUPFD_CLOEXEC, 10), out = ::fcntl(spec.stdout_fd, F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || ::dup2(in, 0) != 0 || ::dup2(out, 1) != 1) ::_exit(126);
    ::syscall(SYS_close_range, 2u, ~0u, 0u);
    auto lower = [](int resource, std::uint64_t value) {
        if (value == 0) return;
        rlimit rl{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
        ::setrlimit(resource, &rl);
    };
    lower(RLIMIT_AS, spec.limits.address_space);
    lower(RLIMIT_CPU, spec.limits.cpu_seconds);
    try {
        load_seccomp(spec.seccomp, -1);   // stacked: the worker's filter stays in force beneath it
    } catch (...) {
        ::_exit(125);
    }
    char* const empty_env[] = {nullptr};
    ::execve(spec.program.c_str(), argv.data(), empty_env);
    ::_exit(127);
}

}  // namespace mugaika::sandbox
