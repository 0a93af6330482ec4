// What the worker tests share: test hooks switched on for a scope, worker limits, the default engine,
// the pid of a worker that is running a job, and what a confined worker looks like from outside.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "fixtures.hpp"
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

// What a confined worker looks like from outside, through /proc/PID: seccomp on, NO_NEW_PRIVS, no
// capability held or in its bounding set, its channel (descriptor 3) as its only descriptor (a
// sanitizer build keeps stderr too), an empty environment, and every namespace other than ours.
inline void check_confined_from_outside(pid_t pid) {
    namespace fs = std::filesystem;
    fs::path proc = "/proc/" + std::to_string(pid);
    std::string status = read_whole(proc / "status");
    CHECK(status.find("Seccomp:\t2") != std::string::npos);
    CHECK(status.find("NoNewPrivs:\t1") != std::string::npos);
    CHECK(status.find("CapEff:\t0000000000000000") != std::string::npos);
    CHECK(status.find("CapBnd:\t0000000000000000") != std::string::npos);
    for (const char* ns : {"user", "mnt", "pid", "ipc", "uts", "net", "cgroup"}) {
        CAPTURE(ns);
        CHECK(fs::read_symlink(proc / "ns" / ns) != fs::read_symlink(fs::path("/proc/self/ns") / ns));
    }
    std::vector<std::string> fds;
    for (const auto& e : fs::directory_iterator(proc / "fd")) fds.push_back(e.path().filename().string());
    std::sort(fds.begin(), fds.end());
#ifdef MUGAIKA_SANITIZE
    CHECK((fds == std::vector<std::string>{"3"} || fds == std::vector<std::string>{"2", "3"}));
#else
    CHECK(fds == std::vector<std::string>{"3"});
#endif
    CHECK(read_whole(proc / "environ").empty());
}

}  // namespace mugaika::test
