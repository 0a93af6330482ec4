#include "mugaika/quarantine/audit_throttle.hpp"

namespace mugaika::quarantine {

namespace {
constexpr std::size_t max_kinds = 100;   // the summary itself stays small whatever arrives
}

void AuditThrottle::roll(std::int64_t now) {
    if (window_start_ != 0 && now < window_start_ + window_) return;
    if (suppressed_ > 0) {
        if (!ready_) {
            ready_ = nlohmann::ordered_json{{"suppressed", 0}, {"window_seconds", 0}, {"window_start", window_start_},
                                            {"actions", nlohmann::ordered_json::object()}};
        }
        // A summary not taken yet (nobody flushed) absorbs this window's.
        auto& r = *ready_;
        r["suppressed"] = r["suppressed"].get<std::uint64_t>() + suppressed_;
        r["window_seconds"] = now - r["window_start"].get<std::int64_t>();
        for (const auto& [k, n] : by_kind_)
            r["actions"][k] = (r["actions"].contains(k) ? r["actions"][k].get<std::uint64_t>() : 0) + n;
    }
    window_start_ = now;
    written_ = 0;
    suppressed_ = 0;
    by_kind_.clear();
}

bool AuditThrottle::admit(std::int64_t now, const std::string& kind) {
    std::lock_guard g(mutex_);
    roll(now);
    if (written_ < per_window_) {
        ++written_;
        return true;
    }
    ++suppressed_;
    if (by_kind_.size() < max_kinds || by_kind_.contains(kind)) ++by_kind_[kind];
    else ++by_kind_["(other)"];
    return false;
}

std::optional<nlohmann::ordered_json> AuditThrottle::take_summary(std::int64_t now, bool force) {
    std::lock_guard g(mutex_);
    if (force && suppressed_ > 0) {
        roll(window_start_ + window_);   // end the current window now
        window_start_ = now;
    } else {
        roll(now);
    }
    auto out = std::move(ready_);
    ready_.reset();
    return out;
}

}  // namespace mugaika::quarantine
