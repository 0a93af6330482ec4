// One job through an isolated worker, with the service's retry rule: a worker that crashed is retried
// (once by default), then the item is quarantined with the failure's reason. A worker that exhausted
// its time or memory budget, hit a forbidden system call or sent a result that was refused is not
// retried: another worker would only do the same. The service itself never goes down for an input.
#pragma once

#include <functional>
#include <string_view>

#include "isolated.hpp"

namespace mugaika {

struct RunReport {
    Outcome outcome;
    int failures = 0;   // workers that failed for this item
};

// `on_failure` is told of every failed worker (for logs and metrics). Throws std::system_error only
// for our own trouble (no worker could be started); the caller then retries the job later.
RunReport run_job(const Engine& engine, std::string_view bytes, std::string_view name, const WorkerLimits& limits,
                  unsigned retries, const std::function<void(const WorkerFailure&)>& on_failure);

// Test builds only (MUGAIKA_TEST_HOOKS, and MUGAIKA_TEST_HOOKS=1 in the environment): the job tells the
// worker that its test hooks may act (inputs named mugaika-test-*, see worker/worker_hooks.hpp).
bool test_hooks_enabled();

}  // namespace mugaika
