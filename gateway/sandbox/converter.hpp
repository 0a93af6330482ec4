// Starting a converter (LibreOffice, an image tool) inside an already confined worker: the converter
// is a child in the worker's namespaces and root, under the worker's seccomp filter, Landlock domain
// and rlimits, with its own seccomp profile stacked on top (the kernel takes the stricter answer of
// the two for every call, so a converter can never get more than its worker). The worker's profile
// must be converter_host_profile(programs): only those programs can be executed (Landlock).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sandbox.hpp"

namespace mugaika::sandbox {

struct ConverterSpec {
    std::string program;              // absolute path, one of the host profile's programs
    std::vector<std::string> argv;    // argv[0] included
    std::string seccomp = "converter";
    Rlimits limits;                   // lowered for the converter (never above the worker's)
    int stdin_fd = -1;                // the converter's descriptors 0 and 1; nothing else is inherited
    int stdout_fd = -1;
};

// Returns the converter's pid (a child of the caller: reap it with waitpid). Throws SandboxError
// when no process can be created. A converter that calls what its profile forbids dies of SIGSYS.
pid_t start_converter(const ConverterSpec& spec);

}  // namespace mugaika::sandbox
