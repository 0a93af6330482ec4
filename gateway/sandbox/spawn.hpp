// Starting a process in the sandbox's namespaces (the parent's side): clone3 with new user, mount,
// PID, IPC, UTS and network namespaces, then execve of a fixed program with an empty environment and
// exactly one inherited descriptor. Nothing runs between clone and execve but a few system calls, so
// a multi-threaded parent cannot hand the child a lock some other thread held (the fork() deadlock).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sandbox.hpp"

namespace mugaika::sandbox {

struct SpawnRequest {
    std::string program;              // absolute path of the executable
    std::vector<std::string> argv;    // argv[0] included
    int channel = -1;                 // becomes descriptor 3 in the child, the only one it inherits
    Isolation isolation = Isolation::full;
};

struct Spawned {
    pid_t pid = -1;
    int pidfd = -1;                   // readable once the child has exited; kill and wait go by pid
};

// The descriptor number the child finds its channel on.
inline constexpr int channel_fd = 3;

// Throws std::system_error when the process cannot be created (in full isolation: the kernel forbids
// unprivileged user namespaces, or the limit of namespaces is reached). The child is killed when the
// thread that spawned it ends (PR_SET_PDEATHSIG): spawn from a thread that lives as long as the pool.
Spawned spawn(const SpawnRequest& request);

}  // namespace mugaika::sandbox
