// What the worker tests share: test hooks switched on for a scope, the default engine, and the pid of
// a worker that is running a job.
#pragma once

#include <stdlib.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <future>

#include "mugaika/engine.hpp"
#include "worker/isolated.hpp"
#include "worker/job_runner.hpp"
#include "worker/worker_pool.hpp"

namespace mugaika::test {

// Test hooks act only while this lives (the worker learns it from the job).
struct Hooks {
    Hooks() { ::setenv("MUGAIKA_TEST_HOOKS", "1", 1); }
    ~Hooks() { ::unsetenv("MUGAIKA_TEST_HOOKS"); }
};

// Worker limits with these wall-clock and CPU bounds (the tests' items are small: the bounds are
// slack for a loaded machine, not what an item needs).
inline WorkerLimits limits_within(std::chrono::seconds wall, std::uint64_t cpu_seconds) {
    WorkerLimits l;
    l.wall = wall;
    l.cpu_seconds = cpu_seconds;
    return l;
}

inline const Engine& default_engine() {
    static Engine e(builtin_registry(), Policy::defaults());
    return e;
}

// The first worker running a job while `f` runs (a hanging test item), other than `other_than`;
// -1 when none shows within 10 s or `f` ends first.
inline pid_t busy_worker(std::future<RunReport>& f, pid_t other_than = 0) {
    for (int i = 0; i < 500; ++i) {
        for (pid_t p : WorkerPool::shared().busy())
            if (p != other_than) return p;
        if (f.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready) break;
    }
    return -1;
}

}  // namespace mugaika::test
