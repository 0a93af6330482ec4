// The sandbox: the confinement a process enters before it reads anything from outside, as its own
// layer (in the manner of Chromium's sandbox/linux). It knows nothing of mugaika's engine or service:
// a profile names what the confined process may see and call, spawn.hpp starts a process in fresh
// namespaces, enter() applies the rest from inside, converter.hpp starts a helper program inside an
// already confined process. docs/service.md "Sandbox" describes the walls and how to check them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mugaika::sandbox {

// How much of the sandbox a site's kernel allows.
//   full:     new user, mount, PID, IPC, UTS and network namespaces, an empty read-only root, and
//             every layer below;
//   degraded: no namespaces and no new root (a kernel that forbids unprivileged user namespaces);
//             rlimits, no capabilities, NO_NEW_PRIVS, not dumpable, Landlock and seccomp still apply.
//             Only by the site's explicit choice ([worker] isolation = "degraded").
enum class Isolation { full, degraded };

std::string_view to_string(Isolation i);

struct Rlimits {
    std::uint64_t address_space = 0;   // RLIMIT_AS, bytes; 0: unlimited (ASan builds: never applied)
    std::uint64_t cpu_seconds = 0;     // RLIMIT_CPU; 0: unlimited
    std::uint64_t processes = 1;       // RLIMIT_NPROC: tasks (threads too) of the sandbox's user
    std::uint64_t open_files = 64;     // RLIMIT_NOFILE
    std::uint64_t file_size = 0;       // RLIMIT_FSIZE: 0, no byte written to any file
};

// A path of the host that the confined process sees, read-only, at the same place in its new root.
struct Mount {
    std::string path;
    bool executable = false;   // mapped as code (dlopen'd modules: glibc's gconv); otherwise noexec
    bool optional = true;      // a missing path is skipped (a site without poppler-data)
    bool device = false;       // a character device that may be opened (/dev/urandom); otherwise nodev
};

// What one kind of confined process may see and call. Named, so that a converter (LibreOffice, an
// image decoder) can get its own: wider than the disarm worker's for what it needs, never more.
struct Profile {
    std::string name;                  // "disarm", "converter-host", ...
    std::string seccomp;               // seccomp profile name (seccomp.hpp)
    std::vector<Mount> mounts;         // what the new root holds (and Landlock allows reading)
    std::vector<std::string> exec;     // paths beneath which execve is allowed (Landlock); empty: none
    std::uint64_t tmpfs_bytes = 0;     // a private writable /tmp of this size (0: none)
    // Degraded isolation has no private /tmp: a folder of the host's that the caller made for this
    // process alone, beneath which Landlock allows writing instead of /tmp. Empty: /tmp.
    std::string writable;
    Rlimits limits;
};

// The disarm worker's profile: fonts and their configuration (poppler and cairo look fonts up lazily),
// poppler's data, glibc's charset converters (GMime's iconv), time zones. No process creation, no
// sockets, no file writes.
Profile disarm_profile();
// A worker that may start converters (converter.hpp): the disarm profile plus fork/execve/wait, with
// execve confined by Landlock to `programs` (and the libraries they need mounted read-only).
Profile converter_host_profile(std::vector<std::string> programs);

// LibreOffice converting documents in its own process (gateway/office/, LibreOfficeKit): what it
// reads (its installation, libraries, fonts, language tags), a private /tmp for its profile and the
// document, the "office" seccomp profile, threads and memory for a word processor. `writable`: see
// Profile (degraded isolation only).
Profile office_profile(std::uint64_t memory_bytes, std::uint64_t cpu_seconds, std::uint64_t max_file_bytes,
                       std::string writable = {});

// One layer of the confinement and whether it is in force, for logs, /healthz and `mugaika selftest`.
struct Layer {
    std::string name;     // "userns", "pidns", "root", "seccomp", "landlock", ...
    bool on = false;
    std::string detail;   // why off, or what exactly ("seccomp profile disarm, 92 rules")
};

struct Report {
    std::string profile;
    Isolation isolation = Isolation::full;
    std::vector<Layer> layers;
};

// A step of the confinement failed: the process must not take any input (fail closed).
class SandboxError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Applies everything that is applied from inside, in order: the new root (full), hostname, rlimits,
// capabilities dropped, NO_NEW_PRIVS, not dumpable, Landlock, and last the seccomp filter. `keep_fd`
// is the one descriptor that stays open (the job channel); the SIGSYS reporter writes to it.
// Throws SandboxError when any layer the isolation mode requires cannot be applied. Landlock is
// reported off (not an error) where the kernel does not offer it.
Report enter(const Profile& profile, Isolation isolation, int keep_fd);

// The report as one line per layer: "seccomp  on   profile disarm".
std::string describe(const Report& report);

// Threads of the calling process (/proc/self/task); -1 where it cannot be read. Confinement and
// forking a confined copy both need exactly one.
int thread_count();

}  // namespace mugaika::sandbox
