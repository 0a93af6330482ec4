// Runs one item in a sandboxed worker process (gateway/worker/worker_main.cpp, confined by
// gateway/sandbox/), so that a parser that crashes, loops, balloons or is exploited costs one verdict,
// not the service. The parent believes nothing it gets back without checking it: framing, lengths,
// SHA-256, the input's identity and every output's name.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mugaika/engine.hpp"

namespace mugaika {

// [worker] isolation: "sandbox" (the default: namespaces, empty root, seccomp, Landlock, ...),
// "degraded" (a site whose kernel forbids unprivileged user namespaces, by explicit choice: no
// namespaces, no new root, the rest still applies), "fork" (test builds only, for the benchmark's
// baseline: the old forked child of the service, no exec, no sandbox).
enum class WorkerIsolation { sandbox, degraded, fork };

std::string_view to_string(WorkerIsolation i);

struct WorkerLimits {
    std::chrono::milliseconds wall{180000};
    std::uint64_t address_space_bytes = 4ull << 30;   // RLIMIT_AS (not applied under ASan)
    std::uint64_t cpu_seconds = 180;                   // RLIMIT_CPU
    std::uint64_t max_result_bytes = 1ull << 31;       // what the worker may send back
    WorkerIsolation isolation = WorkerIsolation::sandbox;
    // The sandbox profile (sandbox/sandbox.hpp): "disarm", or "converter-host" with the converter
    // programs it may execute.
    std::string profile = "disarm";
    std::vector<std::string> programs;

    bool operator==(const WorkerLimits&) const = default;
};

// Why a worker produced no result. code() is a reason code: limit.time, limit.memory, limit.size,
// worker.crash, internal. retryable(): only a plain crash is worth another worker; an exhausted time
// or memory budget, a forbidden system call, a refused sandbox or a lying worker would only repeat.
class WorkerFailure : public std::runtime_error {
public:
    WorkerFailure(std::string code, const std::string& detail, bool retryable = false)
        : std::runtime_error(detail), code_(std::move(code)), retryable_(retryable) {}
    const std::string& code() const { return code_; }
    bool retryable() const { return retryable_; }

private:
    std::string code_;
    bool retryable_;
};

// A quarantined outcome for an input whose worker gave no verdict (crash, timeout, unreadable result).
Outcome quarantined_outcome(std::string_view bytes, std::string_view name, std::string code, std::string detail);

// The engine's verdict on one input, computed in a sandboxed worker with `engine`'s policy. Throws
// WorkerFailure when the worker gave no believable verdict, std::system_error when no worker could be
// started (our trouble: the caller answers "try again", never "clean"). `secrets` (a PPAP password
// the officer entered) travel over the job channel in memory, never to a file, and the outcome that
// comes back never holds them.
Outcome run_isolated_engine(const Engine& engine, std::string_view bytes, std::string_view name,
                            const WorkerLimits& limits, const ItemSecrets& secrets = {});

// The same, never throwing for the input's sake: a failed worker becomes a quarantined outcome.
Outcome process_isolated(const Engine& engine, std::string_view bytes, std::string_view name,
                         const WorkerLimits& limits, const ItemSecrets& secrets = {});

// `mugaika detect`: what the engine would see (JSON: type, label, magic, safe_name, findings),
// computed in a worker. Throws WorkerFailure / std::system_error like run_isolated_engine.
// `policy`: its [names] rule says what sanitize would do about an extension that claims another type.
std::string detect_isolated(std::string_view bytes, std::string_view name, const WorkerLimits& limits,
                            const Policy& policy = Policy::defaults());

// Checks what a worker claims about an input before anything of it is believed: the input it
// describes is the one sent, a quarantined outcome carries no output, and every output's name is a
// plain safe file name (no path, no "..", nothing check_name would change, nothing executable).
// Throws WorkerFailure (worker.crash) otherwise. Applied to every worker result in every command.
void check_worker_outcome(const Outcome& o, std::string_view bytes, std::string_view name);
bool is_safe_output_name(std::string_view name);

// The sandbox as a worker reports it from inside (JSON: profile, isolation, layers, and what it sees
// of itself: pid, seccomp mode, no_new_privs, dumpable, open descriptors, files it can read), plus the
// worker's pid. Throws WorkerFailure(internal) when the sandbox cannot be entered.
struct SandboxCheck {
    std::string report_json;
    int pid = -1;
};
SandboxCheck check_sandbox(const WorkerLimits& limits);

// The message a service or command prints when the kernel refuses the sandbox and the site did not
// choose isolation = "degraded" (Japanese, then English).
std::string sandbox_unavailable_message(const std::string& why);

// At the start of the service: enters the sandbox once and logs each layer. False (after printing
// sandbox_unavailable_message to stderr) when the sandbox cannot be entered; a degraded or fork
// isolation is logged as a warning.
bool worker_isolation_ready(const WorkerLimits& limits);

// How many confined workers to keep ready (the service: its pool size + 1; default 2).
void set_spare_workers(unsigned count);

}  // namespace mugaika
