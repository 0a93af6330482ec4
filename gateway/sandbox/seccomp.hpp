// Named seccomp-bpf allowlists (libseccomp). A system call that is not on the list never runs: the
// kernel traps it, a SIGSYS handler writes the call's number and architecture to the job channel
// (so the parent can name it) and kills the process; a process that tries to replace that handler is
// killed outright (SECCOMP_RET_KILL_PROCESS). A program started without the handler (a converter
// after execve) dies of SIGSYS all the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mugaika::sandbox {

// The profiles this build knows: "disarm" (the worker), "converter-host" (the worker plus fork,
// execve and wait for converters), "converter" (stacked onto a converter process: no execve, no
// fork, threads allowed), "office" (LibreOffice through LibreOfficeKit in its own process: files
// within its Landlock domain, threads, its socketpairs; other sockets EACCES, fork EPERM, no execve).
// Throws SandboxError for an unknown name.
std::vector<std::string> seccomp_profiles();

// Installs the SIGSYS reporter (writing to `report_fd`) and loads the filter of `profile` (stacked
// onto any filter already in force: the result is never wider). Returns the number of rules.
// Requires NO_NEW_PRIVS. Throws SandboxError.
int load_seccomp(const std::string& profile, int report_fd);

// The frame the SIGSYS reporter writes: "MGKS", then the syscall number and the audit architecture,
// each 4 bytes little-endian (no checksum: the exit status SIGSYS is the authority, this only names).
inline constexpr std::size_t sigsys_frame_size = 12;

// "openat" for a number and architecture, or "syscall 1234" when libseccomp does not know it.
std::string syscall_name(std::uint32_t arch, int number);

}  // namespace mugaika::sandbox
