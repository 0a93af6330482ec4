// How a worker ends, as its exit status says it (shared by the worker and the parent that reads it).
#pragma once

namespace mugaika::worker {

inline constexpr int exit_ok = 0;
inline constexpr int exit_channel = 3;     // the channel broke or carried something that is not a job
inline constexpr int exit_memory = 4;      // std::bad_alloc: RLIMIT_AS reached (limit.memory)
inline constexpr int exit_exception = 5;   // any other exception escaped the engine
inline constexpr int exit_refused = 6;     // a confinement step failed; no item was taken (internal)

}  // namespace mugaika::worker
