#include "mugaika/limits.hpp"

#include "mugaika/reasons.hpp"

namespace mugaika {

Budget::Budget(const Limits& limits, Clock::time_point start)
    : limits_(limits), deadline_(start + limits.time_budget) {}

void Budget::charge_expanded(std::uint64_t bytes) {
    if (bytes > expanded_left())
        throw SanitizeError(reason::limit_expanded,
                            "expanded data exceeds " + std::to_string(limits_.max_expanded_bytes) + " bytes");
    expanded_ += bytes;
}

void Budget::charge_member() {
    if (members_ >= limits_.max_members)
        throw SanitizeError(reason::limit_members,
                            "more than " + std::to_string(limits_.max_members) + " members");
    ++members_;
}

void Budget::check_time() const {
    if (Clock::now() > deadline_)
        throw SanitizeError(reason::limit_time,
                            "time budget of " + std::to_string(limits_.time_budget.count()) + " ms spent");
}

}  // namespace mugaika
