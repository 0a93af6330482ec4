// Test builds only (MUGAIKA_TEST_HOOKS, and the parent's MUGAIKA_TEST_HOOKS=1 passed in the job):
// inputs named mugaika-test-* make the worker misbehave on purpose, from inside the real sandbox.
//   crash, hang, oom (allocate until RLIMIT_AS), cpu (spin until RLIMIT_CPU), badname (an output whose
//   name is the input's text), converter (run /usr/bin/tr through the converter API), and
//   hostile-<action>: open, write, tcp, unix, exec, fork, ptrace, proc, fds, kill (see the .cpp).
// Returns the worker's result for a hooked item, or nullopt for any other (and in other builds).
#pragma once

#include <optional>
#include <string>

#include "job_codec.hpp"

namespace mugaika::worker {

std::optional<std::string> run_test_hook(const JobRequest& job, const std::string& profile);

}  // namespace mugaika::worker
