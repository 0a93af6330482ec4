// The quarantine's retention rule, run by the service itself: once at start, then every
// [quarantine] purge_interval_minutes; the same round removes reports older than [paths]
// keep_reports_days (report_pruning.hpp). A site needs no cron job for what its policy requires; several
// gateway nodes sharing one database may all run it (each item is disposed of once, by whoever is first).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "runtime.hpp"

namespace mugaika {

class RetentionTimer {
public:
    explicit RetentionTimer(RuntimeHolder& runtime) : runtime_(runtime) {}
    ~RetentionTimer() { stop(); }
    RetentionTimer(const RetentionTimer&) = delete;
    RetentionTimer& operator=(const RetentionTimer&) = delete;

    void start();
    void stop();

private:
    void loop();
    RuntimeHolder& runtime_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
};

}  // namespace mugaika
