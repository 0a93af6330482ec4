#include "scheduler.hpp"

#include <limits>

#include "../spool/durable.hpp"
#include "../scan/malware_scan.hpp"
#include "../worker/job_runner.hpp"
#include "log.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika {

namespace {

quarantine::AuditEvent verdict_event(const JobMeta& meta, const Outcome& outcome, const JobRelease& r) {
    quarantine::AuditEvent e;
    e.actor = "gateway";
    e.action = "item.verdict";
    e.item = r.quarantine_id.value_or("");
    nlohmann::ordered_json released = nlohmann::ordered_json::array();
    for (const auto& p : r.released) released.push_back(p.string());
    e.detail = {{"job", meta.id},
                {"source", std::string(to_string(meta.source))},
                {"section", meta.section},
                {"sender", meta.sender},
                {"recipients", meta.recipients},
                {"name", meta.name},
                {"sha256", outcome.input_sha256},
                {"type", outcome.detected_type},
                {"verdict", std::string(to_string(r.verdict))},
                {"reason", outcome.reason},
                {"held_parts", outcome.held.size()},
                {"released", released}};
    return e;
}

}  // namespace

namespace fs = std::filesystem;

namespace {

// A service crash while a job was in a worker counts as an attempt; an input that keeps taking the
// whole service down is quarantined instead of looping.
constexpr int max_service_attempts = 3;

Outcome synthetic(const JobMeta& meta, const fs::path& original, std::string_view code, std::string detail) {
    Outcome o;
    o.input_name = meta.name;
    o.input_size = meta.size;
    o.input_sha256 = sha256_file(original);
    o.detected_type = "unknown";
    o.verdict = Verdict::quarantined;
    o.reason = std::string(code);
    o.reason_detail = std::move(detail);
    return o;
}

}  // namespace

Scheduler::Scheduler(Spool& spool, RuntimeHolder& runtime, Metrics& metrics, unsigned workers)
    : spool_(spool), runtime_(runtime), metrics_(metrics), count_(workers == 0 ? 1 : workers) {}

Scheduler::~Scheduler() { stop(std::chrono::hours(1)); }

void Scheduler::enqueue(Item item) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !known_.insert(item.id).second) return;
        queue_.push_back(std::move(item));
    }
    cv_.notify_one();
}

void Scheduler::notify(const std::string& id) { enqueue({id, false}); }

void Scheduler::start() {
    for (const auto& id : spool_.list(Spool::Queue::active)) {
        log::info("resuming interrupted job " + id);
        enqueue({id, true});
    }
    for (const auto& id : spool_.list(Spool::Queue::incoming)) enqueue({id, false});
    for (unsigned i = 0; i < count_; ++i) threads_.emplace_back([this] { worker_loop(); });
    timer_ = std::thread([this] { timer_loop(); });
}

bool Scheduler::stop(std::chrono::milliseconds grace) {
    {
        std::unique_lock lock(mutex_);
        if (stopping_ && threads_.empty()) return true;
        stopping_ = true;
        queue_.clear();   // still in incoming/ or active/: the next start takes them
        cv_.notify_all();
        timer_cv_.notify_all();
        idle_cv_.wait_for(lock, grace, [&] { return busy_ == 0; });
    }
    if (timer_.joinable()) timer_.join();
    if (busy_ != 0) {
        // Running jobs stay in active/; their children die with us (PR_SET_PDEATHSIG) and the next
        // start resumes them. The caller exits the process at once.
        log::warn("stopping with " + std::to_string(busy_.load()) + " job(s) still running; they resume at next start");
        for (auto& t : threads_) t.detach();
        threads_.clear();
        return false;
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
    return true;
}

void Scheduler::timer_loop() {
    auto last_rescan = std::chrono::steady_clock::now();
    auto last_prune = std::chrono::steady_clock::time_point{};
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        timer_cv_.wait_for(lock, std::chrono::milliseconds(500));
        if (stopping_) break;
        auto now = std::chrono::steady_clock::now();
        while (!deferred_.empty() && deferred_.begin()->first <= now) {
            queue_.push_back({deferred_.begin()->second, true});
            deferred_.erase(deferred_.begin());
            cv_.notify_one();
        }
        if (now - last_prune > std::chrono::minutes(10)) {
            // Tombstones outlive any claim or retry that could still ask about their job id.
            last_prune = now;
            auto keep = runtime_.get()->config.spool.keep_done;
            lock.unlock();
            try {
                spool_.prune_done(keep);
            } catch (const std::exception& e) {
                log::warn(std::string("pruning done/: ") + e.what());
            }
            lock.lock();
        }
        if (now - last_rescan > std::chrono::seconds(5)) {
            // A safety net for notifications that never came (a writer that crashed after commit).
            last_rescan = now;
            lock.unlock();
            auto ids = spool_.list(Spool::Queue::incoming);
            lock.lock();
            for (auto& id : ids)
                if (!stopping_ && known_.insert(id).second) queue_.push_back({id, false});
            if (!queue_.empty()) cv_.notify_all();
        }
    }
}

void Scheduler::worker_loop() {
    while (true) {
        Item item;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            item = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        bool finished = true;
        try {
            if (item.resume || spool_.claim(item.id)) process(item.id);
        } catch (const std::exception& e) {
            finished = false;
            metrics_.release_deferred();
            std::lock_guard lock(mutex_);
            int n = ++defer_count_[item.id];
            auto delay = std::chrono::seconds(std::min(300, 2 << std::min(n, 8)));
            log::error("job " + item.id + ": " + e.what() + "; kept in the spool, retry in " +
                       std::to_string(delay.count()) + " s");
            deferred_.emplace(std::chrono::steady_clock::now() + delay, item.id);
        }
        std::lock_guard lock(mutex_);
        if (finished) {
            known_.erase(item.id);
            defer_count_.erase(item.id);
        }
        --busy_;
        idle_cv_.notify_all();
    }
}

void Scheduler::process(const std::string& id) {
    auto rt = runtime_.get();
    const GatewayConfig& cfg = rt->config;
    fs::path dir = spool_.active(id);
    JobMeta meta = spool_.read_meta(Spool::Queue::active, id);
    fs::path original = dir / "original";

    // A verdict reached before an interruption is released exactly as it was reached: first the scanned
    // outcome (what the malware scan judged, even if the signatures change meanwhile), else the worker's.
    // Both are written without fsync; one damaged by a power failure does not decode and is recomputed.
    const fs::path scanned_file = dir / "outcome.scanned", decided_file = dir / "outcome";
    if (auto scanned = read_outcome(scanned_file, id)) {
        release_and_finish(id, meta, *scanned, *rt);
        return;
    }
    std::optional<Outcome> decided = read_outcome(decided_file, id);
    Outcome outcome;
    if (decided) {
        outcome = std::move(*decided);
    } else {
        ++meta.attempts;
        spool_.write_meta(meta);
        if (meta.attempts > max_service_attempts) {
            outcome = synthetic(meta, original, reason::worker_crash,
                                "processing was interrupted " + std::to_string(meta.attempts - 1) + " times");
        } else if (meta.size > cfg.policy.limits.max_input_bytes) {
            outcome = synthetic(meta, original, reason::limit_size,
                                std::to_string(meta.size) + " bytes exceed the limit of " +
                                    std::to_string(cfg.policy.limits.max_input_bytes));
        } else {
            std::string bytes = read_file(original, cfg.policy.limits.max_input_bytes);
            RunReport run = run_job(rt->engine, bytes, meta.name, cfg.worker, cfg.worker_retries,
                                    [&](const WorkerFailure& f) {
                                        metrics_.worker_failure(f.code());
                                        log::warn("job " + id + ": worker failed (" + f.code() + "): " + f.what());
                                    });
            outcome = std::move(run.outcome);
        }
        // No fsync: what was released or held is recorded durably by the release markers themselves.
        durable::replace_lazily(decided_file, encode_outcome(outcome));
    }

    // Before anything leaves: the original and every output through the malware scanner. Throws when
    // the scanner cannot answer: the job stays in active/ and is retried (no worker re-run, no attempt
    // counted: the worker's outcome is kept).
    try {
        outcome = apply_malware_scan(std::move(outcome), original, cfg.scan);
    } catch (const ScannerUnavailable&) {
        metrics_.scan("unavailable");
        throw;
    }
    metrics_.scan(!cfg.scan.enabled                      ? "off"
                  : outcome.reason == reason::malware     ? "infected"
                  : outcome.reason == reason::scan_failed ? "refused"
                                                          : "passed");
    durable::replace_lazily(scanned_file, encode_outcome(outcome));
    release_and_finish(id, meta, outcome, *rt);
}

std::optional<Outcome> Scheduler::read_outcome(const fs::path& file, const std::string& id) {
    if (!fs::exists(file)) return std::nullopt;
    try {
        return decode_outcome(read_file(file, std::numeric_limits<std::uint64_t>::max()));
    } catch (const std::exception& e) {
        log::warn("job " + id + ": recomputing a damaged " + file.filename().string() + ": " + e.what());
        return std::nullopt;
    }
}

void Scheduler::release_and_finish(const std::string& id, const JobMeta& meta, const Outcome& outcome, const Runtime& rt) {
    fs::path dir = spool_.active(id);
    JobRelease r = release_job(dir, meta, outcome, rt.target);
    // Audited before the job leaves the spool: if the line cannot be made durable the job stays in
    // active/ and is finished again (release is idempotent), so no verdict goes unrecorded. A crash
    // between the two may record one verdict twice, never none.
    rt.target.quarantine->audit().append(verdict_event(meta, outcome, r));
    spool_.finish(id);
    double latency = static_cast<double>(now_ms() - meta.received_ms) / 1000.0;
    metrics_.item(to_string(meta.source), r.verdict, outcome.detected_type, latency);

    std::string line = "job " + id + " " + std::string(to_string(meta.source)) + " " +
                       (meta.section.empty() ? "" : meta.section + "/") + meta.name + ": " +
                       std::string(to_string(r.verdict)) + " (" + outcome.detected_type + ")";
    if (r.verdict == Verdict::quarantined) line += " [" + outcome.reason + "] " + outcome.reason_detail;
    for (const auto& p : r.released) line += " -> " + p.string();
    if (r.quarantine_id) line += " quarantine:" + *r.quarantine_id;
    log::info(line);
}

}  // namespace mugaika
