// Counters for /metrics (Prometheus text format). Cheap to update from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "mugaika/outcome.hpp"

namespace mugaika {

class Metrics {
public:
    // One finished item: its source (share, mail), verdict, detected type and the seconds from
    // acceptance to release or quarantine.
    void item(std::string_view source, Verdict verdict, std::string_view type, double latency_seconds);
    void worker_failure(std::string_view reason);
    void share_refused();
    void lmtp_message(std::string_view result);   // accepted, rejected, deferred
    void lmtp_session();
    void release_deferred();
    void scan(std::string_view result);   // clean, infected, refused, unavailable, off

    struct Gauges {
        std::size_t incoming = 0, active = 0, workers = 0, busy = 0;
        std::string isolation = "sandbox";   // [worker] isolation: sandbox, degraded (fork: tests)
    };
    std::string render(const Gauges& g) const;

    std::uint64_t items_total() const;

private:
    static constexpr std::array<double, 13> bounds{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900};
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> items_;
    std::map<std::string, std::uint64_t> worker_failures_;
    std::map<std::string, std::uint64_t> lmtp_;
    std::map<std::string, std::uint64_t> scans_;
    std::array<std::uint64_t, bounds.size()> buckets_{};
    std::uint64_t count_ = 0;
    double sum_ = 0;
    std::uint64_t share_refused_ = 0, lmtp_sessions_ = 0, release_deferred_ = 0;
};

}  // namespace mugaika
