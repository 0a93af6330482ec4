// The old way, kept for the benchmark's baseline only: the job runs in a fork() of the service, without
// exec and without the sandbox (isolation = "fork", accepted by test builds only). Never in production.
#pragma once

#include <functional>
#include <string>

#include "isolated.hpp"

namespace mugaika {

// Throws WorkerFailure; in builds without MUGAIKA_TEST_HOOKS it always throws (internal).
std::string run_forked(const std::function<std::string()>& job, const WorkerLimits& limits);

}  // namespace mugaika
