// One job through an isolated worker, with the service's retry rule: a crash or a timeout of the child
// is retried (once by default), then the item is quarantined with the failure's reason. The service
// itself never goes down for an input.
#pragma once

#include <functional>
#include <string_view>

#include "isolated.hpp"

namespace mugaika {

struct RunReport {
    Outcome outcome;
    int failures = 0;   // children that crashed or timed out for this item
};

// `on_failure` is told of every failed child (for logs and metrics). Throws std::system_error only
// for our own trouble (no child could be started); the caller then retries the job later.
RunReport run_job(const Engine& engine, std::string_view bytes, std::string_view name, const WorkerLimits& limits,
                  unsigned retries, const std::function<void(const WorkerFailure&)>& on_failure);

// Test builds only (MUGAIKA_TEST_HOOKS, and MUGAIKA_TEST_HOOKS=1 in the environment): an input whose
// name starts with "mugaika-test-crash" makes the child abort, "mugaika-test-hang" makes it hang.
bool test_hooks_enabled();

}  // namespace mugaika
