#include "job_runner.hpp"

#include <cstdlib>
#include <cstring>

namespace mugaika {
namespace {

Outcome failed(std::string_view bytes, std::string_view name, const WorkerFailure& f, int failures) {
    return quarantined_outcome(bytes, name, f.code(),
                               std::string(f.what()) + " (" + std::to_string(failures) +
                                   (failures == 1 ? " attempt)" : " attempts)"));
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
            r.outcome = run_isolated_engine(engine, bytes, name, limits);
            return r;
        } catch (const WorkerFailure& f) {
            ++r.failures;
            if (on_failure) on_failure(f);
            if (!f.retryable() || attempt >= retries) {
                r.outcome = failed(bytes, name, f, r.failures);
                return r;
            }
        }
    }
}

}  // namespace mugaika
