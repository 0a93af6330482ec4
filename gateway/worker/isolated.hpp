// Runs one job in a child process with resource limits, no network and a wall-clock timeout, so that
// a parser that crashes, loops or balloons costs one verdict, not the service (Postfix-style fault
// containment).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "mugaika/engine.hpp"

namespace mugaika {

struct WorkerLimits {
    std::chrono::milliseconds wall{180000};
    std::uint64_t address_space_bytes = 4ull << 30;   // RLIMIT_AS (not applied under ASan)
    std::uint64_t cpu_seconds = 180;                   // RLIMIT_CPU
    std::uint64_t max_result_bytes = 1ull << 31;       // what the child may send back
};

// Why a child produced no result. code() is a reason code: limit.time, limit.memory, worker.crash.
class WorkerFailure : public std::runtime_error {
public:
    WorkerFailure(std::string code, const std::string& detail) : std::runtime_error(detail), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

// Runs `job` in a forked child and returns the bytes it produced. Throws WorkerFailure on a crash,
// a signal, a timeout or a result over the limit; std::system_error when no child could be started.
std::string run_isolated(const std::function<std::string()>& job, const WorkerLimits& limits);

// A quarantined outcome for an input whose worker gave no verdict (crash, timeout, unreadable result).
Outcome quarantined_outcome(std::string_view bytes, std::string_view name, std::string code, std::string detail);

// The engine's verdict on one input, computed in an isolated child. Never throws for the input's
// sake: a failed child becomes a quarantined outcome with the failure's reason. `secrets` (a PPAP
// password the officer entered) reach the child by fork, in memory: nothing of them is serialized,
// and the outcome that comes back never holds them.
Outcome process_isolated(const Engine& engine, std::string_view bytes, std::string_view name,
                         const WorkerLimits& limits, const ItemSecrets& secrets = {});

}  // namespace mugaika
