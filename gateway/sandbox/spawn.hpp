// Starting a process in the sandbox's namespaces (the parent's side): clone3 with new user, mount,
// PID, IPC, UTS and network namespaces, then either execve of a fixed program with an empty
// environment (spawn), or, in a single-threaded pre-loaded process, going on in a copy of it
// (fork_confined: the worker's zygote). Either way the child holds exactly one descriptor, its channel.
// Between clone and execve nothing runs but a few system calls, so a multi-threaded parent cannot
// hand the child a lock some other thread held (the fork() deadlock).
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

// spawn() with a fresh socketpair of `socket_type` (SOCK_STREAM, SOCK_SEQPACKET) as the child's
// channel: the child gets one end, the caller the other (close-on-exec). Nothing is left open when it
// throws.
struct Connected {
    Spawned process;
    int channel = -1;
};
Connected spawn_connected(SpawnRequest request, int socket_type);

// For a single-threaded process that has loaded everything once (the zygote): a copy of it in fresh
// namespaces (as spawn's, by `isolation`) that goes on from here with `channel` as its only
// descriptor, on channel_fd, and nothing else of the caller's open. The child is the caller's
// parent's child (CLONE_PARENT), so the process that started the zygote waits for it, kills it and
// reads its exit and CPU time as for a worker it spawned itself; it dies with that parent's thread.
// Returns {pid, pidfd} in the caller; {0, -1} in the child. Throws std::system_error in the caller.
// Call fork_confined_possible() once first: fork_confined refuses without it.
Spawned fork_confined(int channel, Isolation isolation);

// Whether this process can use fork_confined: single-threaded, and the C library keeps its thread
// id where we know to refresh it (see spawn.cpp). False with the reason in `why`.
bool fork_confined_possible(std::string& why);

// Whether the C library's record of the calling thread's id is the kernel's (selftest: a worker forked
// by the zygote must not carry the zygote's).
bool libc_thread_id_current();

}  // namespace mugaika::sandbox
