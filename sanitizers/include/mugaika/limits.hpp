// Limits from the policy, and the budget one item and all its descendants share.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mugaika {

struct Limits {
    std::uint64_t max_input_bytes = 100ull << 20;     // one input (top level)
    std::uint32_t max_depth = 8;                      // container nesting
    std::uint64_t max_expanded_bytes = 1ull << 30;    // all children of one input together
    std::uint32_t max_members = 10000;                // all children of one input together
    std::uint32_t max_ratio = 200;                    // expanded / compressed, per member and overall
    std::chrono::milliseconds time_budget{120000};    // one input, children included
};

// Thrown by sanitizers and the budget to quarantine the item with a reason code (reasons.hpp).
class SanitizeError : public std::runtime_error {
public:
    SanitizeError(std::string_view code, const std::string& detail)
        : std::runtime_error(detail), code_(code) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

// Shared by an input and everything recursed into from it: children draw on what their parents left.
class Budget {
public:
    using Clock = std::chrono::steady_clock;

    explicit Budget(const Limits& limits, Clock::time_point start = Clock::now());

    void charge_expanded(std::uint64_t bytes);   // limit.expanded
    void charge_member();                        // limit.members
    void check_time() const;                     // limit.time
    Clock::time_point deadline() const { return deadline_; }
    std::uint64_t expanded_left() const { return limits_.max_expanded_bytes - expanded_; }
    std::uint32_t members_left() const { return limits_.max_members - members_; }
    const Limits& limits() const { return limits_; }

private:
    Limits limits_;
    Clock::time_point deadline_;
    std::uint64_t expanded_ = 0;
    std::uint32_t members_ = 0;
};

}  // namespace mugaika
