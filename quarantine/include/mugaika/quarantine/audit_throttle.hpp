// Refusals nobody signed in caused (a wrong login, an enrolment code guessed, a form posted without a
// session) would otherwise each append an fsync'd audit line: anyone who can reach the login page could
// fill the disk and bury the log. The first `per_window` of them in each window are written one by one;
// the rest are counted by kind (action, why, channel) and written as one summary line when the window
// ends, so the log still says how many there were and from where.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace mugaika::quarantine {

class AuditThrottle {
public:
    AuditThrottle(std::size_t per_window = 30, std::int64_t window_seconds = 60)
        : per_window_(per_window), window_(window_seconds) {}

    // True: write this line. False: it was counted for the window's summary.
    bool admit(std::int64_t now, const std::string& kind);
    // The summary of a window that has ended (or of the current one when `force`), once; nothing when
    // nothing was held back.
    std::optional<nlohmann::ordered_json> take_summary(std::int64_t now, bool force = false);

private:
    void roll(std::int64_t now);

    std::size_t per_window_;
    std::int64_t window_;
    std::mutex mutex_;
    std::int64_t window_start_ = 0;
    std::size_t written_ = 0;
    std::uint64_t suppressed_ = 0;
    std::map<std::string, std::uint64_t> by_kind_;
    std::optional<nlohmann::ordered_json> ready_;   // the summary of the window that just ended
};

}  // namespace mugaika::quarantine
