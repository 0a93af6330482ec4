#include "retention.hpp"

#include "log.hpp"
#include "report_pruning.hpp"

namespace mugaika {

void RetentionTimer::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void RetentionTimer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RetentionTimer::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto rt = runtime_.get();   // the configuration of this round: a reload changes the next one
        lock.unlock();
        try {
            auto purged = rt->target.quarantine->purge_expired();
            if (!purged.empty())
                log::info("retention: disposed of " + std::to_string(purged.size()) + " quarantined item(s) held over " +
                          std::to_string(rt->config.review.retention_days) + " days");
        } catch (const std::exception& e) {
            // Nothing is lost by a failed round: the items stay held and the next round tries again.
            log::error(std::string("retention: purge failed: ") + e.what());
        }
        if (!rt->config.reports_dir.empty() && rt->config.keep_reports_days > 0) {
            std::time_t cutoff = std::time(nullptr) - std::time_t(rt->config.keep_reports_days) * 86400;
            if (auto n = prune_reports(rt->config.reports_dir, cutoff))
                log::info("retention: removed " + std::to_string(n) + " report(s) older than " +
                          std::to_string(rt->config.keep_reports_days) + " days from " + rt->config.reports_dir.string());
        }
        auto interval = std::chrono::minutes(rt->config.review.purge_interval_minutes);
        rt.reset();   // a reload during the wait must not keep the old configuration's store open
        lock.lock();
        cv_.wait_for(lock, interval, [this] { return stopping_; });
    }
}

}  // namespace mugaika
