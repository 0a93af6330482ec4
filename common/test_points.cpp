#include "mugaika/test_points.hpp"

#ifdef MUGAIKA_TEST_HOOKS
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#endif

namespace mugaika::test_points {

#ifdef MUGAIKA_TEST_HOOKS
namespace {

// Read every time (a getenv is cheap next to the file I/O around every point): a test process may turn
// the hooks on and off between its cases.
bool enabled() {
    const char* v = std::getenv("MUGAIKA_TEST_HOOKS");
    return v && std::strcmp(v, "1") == 0;
}

}  // namespace

void crash_point(std::string_view point) {
    if (!enabled()) return;
    const char* v = std::getenv("MUGAIKA_TEST_KILL_AT");
    if (!v || !*v) return;
    const std::string target = v;
    std::string_view name = target;
    long nth = 1;
    if (auto hash = name.find('#'); hash != std::string_view::npos) {
        nth = std::strtol(target.c_str() + hash + 1, nullptr, 10);
        name = name.substr(0, hash);
    }
    if (name != point) return;
    static std::atomic<long> passes{0};
    if (++passes == nth) ::kill(::getpid(), SIGKILL);
}

int injected_error(std::string_view point) {
    if (!enabled()) return 0;
    const char* file = std::getenv("MUGAIKA_TEST_FAULTS");
    if (!file) return 0;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq == std::string::npos || std::string_view(line).substr(0, eq) != point) continue;
        std::string e = line.substr(eq + 1);
        if (e == "ENOSPC") return ENOSPC;
        if (e == "EDQUOT") return EDQUOT;
        return EIO;
    }
    return 0;
}
#else
void crash_point(std::string_view) {}
int injected_error(std::string_view) { return 0; }
#endif

}  // namespace mugaika::test_points
