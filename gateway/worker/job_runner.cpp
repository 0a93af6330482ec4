#include "job_runner.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika {
namespace {

// Runs inside the child only: the parent never crashes or hangs on purpose.
void test_fault(std::string_view name) {
#ifdef MUGAIKA_TEST_HOOKS
    if (!test_hooks_enabled()) return;
    if (name.starts_with("mugaika-test-crash")) std::abort();
    if (name.starts_with("mugaika-test-hang"))
        for (;;) ::pause();
#else
    (void)name;
#endif
}

Outcome failed(std::string_view bytes, std::string_view name, const WorkerFailure& f, int failures) {
    return quarantined_outcome(bytes, name, f.code(),
                               std::string(f.what()) + " (" + std::to_string(failures) + " attempts)");
}

}  // namespace

bool test_hooks_enabled() {
#ifdef MUGAIKA_TEST_HOOKS
    const char* v = std::getenv("MUGAIKA_TEST_HOOKS");
    return v && std::strcmp(v, "1") == 0;
#else
    return false;
#endif
}

RunReport run_job(const Engine& engine, std::string_view bytes, std::string_view name, const WorkerLimits& limits,
                  unsigned retries, const std::function<void(const WorkerFailure&)>& on_failure) {
    RunReport r;
    for (unsigned attempt = 0;; ++attempt) {
        try {
            std::string encoded = run_isolated(
                [&] {
                    test_fault(name);
                    return encode_outcome(engine.process(bytes, name));
                },
                limits);
            try {
                r.outcome = decode_outcome(encoded);
            } catch (const std::exception& e) {
                // A child that talks garbage is as good as crashed: never trust a half-read result.
                throw WorkerFailure(std::string(reason::worker_crash), std::string("unreadable worker result: ") + e.what());
            }
            return r;
        } catch (const WorkerFailure& f) {
            ++r.failures;
            if (on_failure) on_failure(f);
            bool retryable = f.code() == reason::worker_crash || f.code() == reason::limit_time;
            if (!retryable || attempt >= retries) {
                r.outcome = failed(bytes, name, f, r.failures);
                return r;
            }
        }
    }
}

}  // namespace mugaika
