#include "metrics.hpp"

#include <sstream>

#include "mugaika/atomic_file.hpp"

namespace mugaika {

void Metrics::item(std::string_view source, Verdict verdict, std::string_view type, double latency) {
    std::lock_guard lock(mutex_);
    ++items_[{std::string(source), std::string(to_string(verdict)), std::string(type)}];
    for (std::size_t i = 0; i < bounds.size(); ++i)
        if (latency <= bounds[i]) ++buckets_[i];
    ++count_;
    sum_ += latency;
}

void Metrics::worker_failure(std::string_view reason) {
    std::lock_guard lock(mutex_);
    ++worker_failures_[std::string(reason)];
}

void Metrics::share_refused() {
    std::lock_guard lock(mutex_);
    ++share_refused_;
}

void Metrics::lmtp_message(std::string_view result) {
    std::lock_guard lock(mutex_);
    ++lmtp_[std::string(result)];
}

void Metrics::lmtp_session() {
    std::lock_guard lock(mutex_);
    ++lmtp_sessions_;
}

void Metrics::scan(std::string_view result) {
    std::lock_guard lock(mutex_);
    ++scans_[std::string(result)];
}

void Metrics::release_deferred() {
    std::lock_guard lock(mutex_);
    ++release_deferred_;
}

std::uint64_t Metrics::items_total() const {
    std::lock_guard lock(mutex_);
    return count_;
}

std::string Metrics::render(const Gauges& g) const {
    std::lock_guard lock(mutex_);
    std::ostringstream o;
    o << "# HELP mugaika_items_total Items finished, by source, verdict and detected type.\n"
         "# TYPE mugaika_items_total counter\n";
    for (const auto& [k, n] : items_)
        o << "mugaika_items_total{source=\"" << std::get<0>(k) << "\",verdict=\"" << std::get<1>(k) << "\",type=\""
          << std::get<2>(k) << "\"} " << n << "\n";
    o << "# HELP mugaika_item_latency_seconds Seconds from acceptance to release or quarantine.\n"
         "# TYPE mugaika_item_latency_seconds histogram\n";
    for (std::size_t i = 0; i < bounds.size(); ++i)
        o << "mugaika_item_latency_seconds_bucket{le=\"" << bounds[i] << "\"} " << buckets_[i] << "\n";
    o << "mugaika_item_latency_seconds_bucket{le=\"+Inf\"} " << count_ << "\n"
      << "mugaika_item_latency_seconds_sum " << sum_ << "\n"
      << "mugaika_item_latency_seconds_count " << count_ << "\n";
    o << "# HELP mugaika_worker_failures_total Worker children that crashed or ran out of time.\n"
         "# TYPE mugaika_worker_failures_total counter\n";
    for (const char* r : {"worker.crash", "limit.time", "limit.memory", "limit.size", "internal"}) {
        auto it = worker_failures_.find(r);
        o << "mugaika_worker_failures_total{reason=\"" << r << "\"} " << (it == worker_failures_.end() ? 0 : it->second) << "\n";
    }
    o << "# HELP mugaika_queue_depth Jobs in the spool, by queue.\n# TYPE mugaika_queue_depth gauge\n"
      << "mugaika_queue_depth{queue=\"incoming\"} " << g.incoming << "\n"
      << "mugaika_queue_depth{queue=\"active\"} " << g.active << "\n";
    o << "# HELP mugaika_workers Worker slots, and those busy now.\n# TYPE mugaika_workers gauge\n"
      << "mugaika_workers{state=\"total\"} " << g.workers << "\n"
      << "mugaika_workers{state=\"busy\"} " << g.busy << "\n";
    o << "# HELP mugaika_worker_isolation The disarm workers' confinement in force (1 for the mode in use).\n"
         "# TYPE mugaika_worker_isolation gauge\n";
    for (const char* mode : {"sandbox", "degraded"})
        o << "mugaika_worker_isolation{mode=\"" << mode << "\"} " << (g.isolation == mode ? 1 : 0) << "\n";
    o << "# HELP mugaika_share_refused_total Files left in the share outside any configured section.\n"
         "# TYPE mugaika_share_refused_total counter\nmugaika_share_refused_total "
      << share_refused_ << "\n";
    o << "# HELP mugaika_scan_total Items judged by the malware scanner, by result.\n"
         "# TYPE mugaika_scan_total counter\n";
    for (const auto& [result, n] : scans_) o << "mugaika_scan_total{result=\"" << result << "\"} " << n << "\n";
    SyncCounts syncs = sync_counts();
    o << "# HELP mugaika_fsyncs_total fsync calls made by the service (files and folders), for the per-item budget.\n"
         "# TYPE mugaika_fsyncs_total counter\n"
      << "mugaika_fsyncs_total{kind=\"file\"} " << syncs.files << "\n"
      << "mugaika_fsyncs_total{kind=\"directory\"} " << syncs.directories << "\n";
    o << "# HELP mugaika_release_deferred_total Releases that failed (I/O) and were retried later.\n"
         "# TYPE mugaika_release_deferred_total counter\nmugaika_release_deferred_total "
      << release_deferred_ << "\n";
    o << "# HELP mugaika_lmtp_sessions_total LMTP connections accepted.\n# TYPE mugaika_lmtp_sessions_total counter\n"
      << "mugaika_lmtp_sessions_total " << lmtp_sessions_ << "\n";
    o << "# HELP mugaika_lmtp_messages_total LMTP messages by result.\n# TYPE mugaika_lmtp_messages_total counter\n";
    for (const char* r : {"accepted", "duplicate", "rejected", "deferred"}) {
        auto it = lmtp_.find(r);
        o << "mugaika_lmtp_messages_total{result=\"" << r << "\"} " << (it == lmtp_.end() ? 0 : it->second) << "\n";
    }
    return o.str();
}

}  // namespace mugaika
