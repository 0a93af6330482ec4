#include "gate.hpp"

#include <utility>

#include "log.hpp"

namespace mugaika {

namespace {
constexpr std::chrono::milliseconds first_delay{2000}, max_delay{30000};

// "<gate>: <reason>", unless the reason names the gate already.
std::string described(const std::string& name, const std::string& reason) {
    return reason.starts_with(name) ? reason : name + ": " + reason;
}
}  // namespace

bool Gate::is_open() const {
    std::lock_guard lock(mutex_);
    return open_;
}

std::string Gate::problem() const {
    std::lock_guard lock(mutex_);
    return open_ ? std::string() : described(name_, reason_);
}

bool Gate::storage_full() const {
    std::lock_guard lock(mutex_);
    return !open_ && storage_;
}

void Gate::close(std::string reason, bool storage_full) {
    std::lock_guard lock(mutex_);
    if (open_) {
        log::warn(described(name_, reason) + "; jobs wait until it is available again");
        delay_ = first_delay;
        next_probe_ = Clock::now() + delay_;
    }
    open_ = false;
    storage_ = storage_full;
    reason_ = std::move(reason);
}

bool Gate::park_if_closed(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (open_) return false;
    parked_.push_back(id);
    return true;
}

std::vector<std::string> Gate::poll(const std::function<bool()>& probe) {
    {
        std::lock_guard lock(mutex_);
        if (open_ || Clock::now() < next_probe_) return {};
    }
    bool ok = probe();   // outside the lock: it talks to a socket or a disk
    std::lock_guard lock(mutex_);
    if (!ok) {
        delay_ = std::min(delay_ * 2, max_delay);
        next_probe_ = Clock::now() + delay_;
        return {};
    }
    if (!open_) log::info(name_ + ": available again; " + std::to_string(parked_.size()) + " waiting job(s) go on");
    open_ = true;
    reason_.clear();
    storage_ = false;
    return std::exchange(parked_, {});
}

void Gate::clear() {
    std::lock_guard lock(mutex_);
    parked_.clear();
}

}  // namespace mugaika
