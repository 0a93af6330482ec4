#include "log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace mugaika::log {
namespace {
std::mutex mutex;
std::atomic<bool> use_syslog{false};

const char* name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "info";
}
int priority(Level l) {
    switch (l) {
        case Level::debug: return LOG_DEBUG;
        case Level::info: return LOG_INFO;
        case Level::warning: return LOG_WARNING;
        case Level::error: return LOG_ERR;
    }
    return LOG_INFO;
}
}  // namespace

void open_syslog(bool enabled) {
    std::lock_guard lock(mutex);
    if (enabled && !use_syslog) ::openlog("mugaika", LOG_PID | LOG_NDELAY, LOG_MAIL);
    if (!enabled && use_syslog) ::closelog();
    use_syslog = enabled;
}

void write(Level level, std::string_view message) {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "%s.%03dZ mugaika[%d]: %s: %.*s\n", stamp, static_cast<int>(ms), static_cast<int>(::getpid()),
                 name(level), static_cast<int>(message.size()), message.data());
    std::fflush(stderr);
    if (use_syslog)
        ::syslog(priority(level), "%s: %.*s", name(level), static_cast<int>(message.size()), message.data());
}

}  // namespace mugaika::log
