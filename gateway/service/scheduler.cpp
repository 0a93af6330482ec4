#include "scheduler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <limits>

#include "../scan/clamd_client.hpp"
#include "../scan/malware_scan.hpp"
#include "../spool/durable.hpp"
#include "../worker/job_runner.hpp"
#include "log.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "mugaika/test_points.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {

// A service crash while a job was in a worker counts as an attempt; an input that keeps taking the
// whole service down is quarantined instead of looping.
constexpr int max_service_attempts = 3;
// How far back into the audit log the start looks for verdicts recorded just before a crash.
constexpr std::size_t audit_lookback_bytes = 16u << 20;

// The verdict line: what was finally done (`r.outcome`: a mail the next hop refused is held as
// relay.rejected, whatever the worker had decided).
quarantine::AuditEvent verdict_event(const JobMeta& meta, const JobRelease& r) {
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
                {"name", meta.display_name()},
                {"sha256", r.outcome.input_sha256},
                {"type", r.outcome.detected_type},
                {"verdict", std::string(to_string(r.verdict))},
                {"reason", r.outcome.reason},
                {"held_parts", r.outcome.held.size()},
                {"released", released}};
    return e;
}

Outcome synthetic(const JobMeta& meta, const fs::path& original, std::string_view code, std::string detail) {
    Outcome o;
    o.input_name = meta.raw_name();
    o.input_size = meta.size;
    o.input_sha256 = sha256_file(original);
    o.detected_type = "unknown";
    o.verdict = Verdict::quarantined;
    o.reason = std::string(code);
    o.reason_detail = std::move(detail);
    return o;
}

bool storage_error(const std::exception& e) {
    auto* se = dynamic_cast<const std::system_error*>(&e);
    return se && (se->code().value() == ENOSPC || se->code().value() == EDQUOT);
}

// Can a line (and the head beside it) be written next to the audit log again? A real write, made
// durable and removed: free space alone says nothing about a read-only or failing disk.
bool audit_writable(const fs::path& log_file) {
    if (test_points::injected_error("audit.write")) return false;
    fs::path dir = log_file.has_parent_path() ? log_file.parent_path() : fs::path(".");
    fs::path probe = dir / ".mugaika-audit-probe";
    ::unlink(probe.c_str());
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return false;
    std::string block(16 * 1024, '\n');
    bool ok = ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size()) && durable_sync(fd, SyncKind::file) == 0;
    ::close(fd);
    ::unlink(probe.c_str());
    return ok;
}

}  // namespace

Scheduler::Scheduler(Spool& spool, RuntimeHolder& runtime, Metrics& metrics, unsigned workers, unsigned deliverers)
    : spool_(spool), runtime_(runtime), metrics_(metrics), count_(workers == 0 ? 1 : workers),
      deliverers_(deliverers == 0 ? 1 : deliverers) {}

Scheduler::~Scheduler() { stop(std::chrono::hours(1)); }

void Scheduler::enqueue(Item item) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !known_.insert(item.id).second) return;
        work_queue_.push_back(std::move(item));
    }
    work_cv_.notify_one();
}

void Scheduler::notify(const std::string& id) { enqueue({id, false, Stage::process}); }

void Scheduler::start() {
    auto active = spool_.list(Spool::Queue::active);
    if (!active.empty()) {
        std::set<std::string> ids(active.begin(), active.end());
        auto rt = runtime_.get();
        for (const auto& rec : quarantine::recent_audit_records(rt->target.quarantine->audit().file(), audit_lookback_bytes)) {
            if (!rec.is_object() || rec.value("action", "") != "item.verdict" || !rec.contains("detail")) continue;
            const auto& d = rec["detail"];
            if (d.is_object() && d.contains("job") && d["job"].is_string() && ids.contains(d["job"].get<std::string>()))
                audited_before_start_.insert(d["job"].get<std::string>());
        }
    }
    for (const auto& id : active) {
        log::info("resuming interrupted job " + id);
        enqueue({id, true, Stage::process});
    }
    for (const auto& id : spool_.list(Spool::Queue::incoming)) enqueue({id, false, Stage::process});
    for (unsigned i = 0; i < count_; ++i) workers_.emplace_back([this] { pool_loop(Stage::process); });
    for (unsigned i = 0; i < deliverers_; ++i) delivery_.emplace_back([this] { pool_loop(Stage::deliver); });
    timer_ = std::thread([this] { timer_loop(); });
}

bool Scheduler::stop(std::chrono::milliseconds grace) {
    {
        std::unique_lock lock(mutex_);
        if (stopping_ && workers_.empty() && delivery_.empty()) return true;
        stopping_ = true;
        work_queue_.clear();   // still in incoming/ or active/: the next start takes them
        delivery_queue_.clear();
        work_cv_.notify_all();
        delivery_cv_.notify_all();
        timer_cv_.notify_all();
        idle_cv_.wait_for(lock, grace, [&] { return busy_ == 0; });
    }
    scanner_gate_.clear();
    audit_gate_.clear();
    if (timer_.joinable()) timer_.join();
    if (busy_ != 0) {
        // Running jobs stay in active/; their children die with us (PR_SET_PDEATHSIG) and the next
        // start resumes them. The caller exits the process at once.
        log::warn("stopping with " + std::to_string(busy_.load()) + " job(s) still running; they resume at next start");
        for (auto* pool : {&workers_, &delivery_}) {
            for (auto& t : *pool) t.detach();
            pool->clear();
        }
        return false;
    }
    for (auto* pool : {&workers_, &delivery_}) {
        for (auto& t : *pool) t.join();
        pool->clear();
    }
    return true;
}

std::string Scheduler::gate_problems() const {
    std::string out;
    for (const Gate* g : {&audit_gate_, &scanner_gate_})
        if (std::string p = g->problem(); !p.empty()) out += (out.empty() ? "" : "; ") + p;
    return out;
}

std::string Scheduler::audit_problem(bool* storage) const {
    if (storage) *storage = audit_gate_.storage_full();
    return audit_gate_.problem();
}

void Scheduler::poll_gates() {
    auto rt = runtime_.get();
    std::vector<std::string> ready = scanner_gate_.poll([&] {
        return !rt->config.scan.enabled || clamd_ping(rt->config.scan.clamd, std::chrono::seconds(2));
    });
    for (auto& id : audit_gate_.poll([&] { return audit_writable(rt->target.quarantine->audit().file()); }))
        ready.push_back(std::move(id));
    if (ready.empty()) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (auto& id : ready) work_queue_.push_back({std::move(id), true, Stage::process});
    work_cv_.notify_all();
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
            Item item = deferred_.begin()->second;
            deferred_.erase(deferred_.begin());
            if (item.stage == Stage::deliver) {
                delivery_queue_.push_back(std::move(item));
                delivery_cv_.notify_one();
            } else {
                work_queue_.push_back(std::move(item));
                work_cv_.notify_one();
            }
        }
        lock.unlock();
        poll_gates();
        lock.lock();
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
                if (!stopping_ && known_.insert(id).second) work_queue_.push_back({id, false, Stage::process});
            if (!work_queue_.empty()) work_cv_.notify_all();
        }
    }
}

void Scheduler::backoff(const Item& item, const std::exception& e) {
    metrics_.release_deferred();
    std::lock_guard lock(mutex_);
    int n = ++defer_count_[item.id];
    auto delay = std::chrono::seconds(std::min(300, 2 << std::min(n, 8)));
    log::error("job " + item.id + ": " + e.what() + "; kept in the spool, retry in " + std::to_string(delay.count()) + " s");
    deferred_.emplace(std::chrono::steady_clock::now() + delay, Item{item.id, true, item.stage});
}

void Scheduler::pool_loop(Stage stage) {
    auto& queue = stage == Stage::deliver ? delivery_queue_ : work_queue_;
    auto& cv = stage == Stage::deliver ? delivery_cv_ : work_cv_;
    while (true) {
        Item item;
        {
            std::unique_lock lock(mutex_);
            cv.wait(lock, [&] { return stopping_ || !queue.empty(); });
            if (stopping_) return;
            item = std::move(queue.front());
            queue.pop_front();
            ++busy_;
        }
        enum { finished, waiting, to_delivery, to_process } next = finished;
        try {
            if (stage == Stage::deliver) next = deliver(item.id) ? finished : to_process;
            else if (item.resume || spool_.claim(item.id)) next = process(item.id) ? to_delivery : finished;
        } catch (const Parked&) {
            next = waiting;   // at a gate; it goes on when the resource is back
        } catch (const std::exception& e) {
            std::error_code ec;
            if (!fs::exists(spool_.active(item.id), ec) && !fs::exists(spool_.dir(Spool::Queue::incoming, item.id), ec)) {
                // Not ours to retry: the job's folder is gone (removed by hand). Said once, not looped on.
                log::error("job " + item.id + ": " + e.what() + "; its folder is no longer in the spool, forgotten");
                next = finished;
            } else {
                next = waiting;
                backoff(item, e);
            }
        }
        std::lock_guard lock(mutex_);
        if (next == finished) {
            known_.erase(item.id);
            defer_count_.erase(item.id);
        } else if (next == to_delivery && !stopping_) {
            delivery_queue_.push_back({item.id, true, Stage::deliver});
            delivery_cv_.notify_one();
        } else if (next == to_process && !stopping_) {
            work_queue_.push_back({item.id, true, Stage::process});
            work_cv_.notify_one();
        }
        --busy_;
        idle_cv_.notify_all();
    }
}

void Scheduler::park_or_throw(Gate& gate, const std::string& id) {
    if (gate.park_if_closed(id)) throw Parked{};
}

bool Scheduler::needs_delivery(const JobMeta& meta, const Runtime& rt) const {
    return meta.source == Source::mail && !rt.target.smtp_next_hop.empty();
}

bool Scheduler::process(const std::string& id) {
    auto rt = runtime_.get();
    const GatewayConfig& cfg = rt->config;
    fs::path dir = spool_.active(id);
    JobMeta meta = spool_.read_meta(Spool::Queue::active, id);
    fs::path original = dir / "original";
    if (finish_if_recorded(id, meta, *rt)) return false;

    // A verdict reached before an interruption is released exactly as it was reached: first the scanned
    // outcome (what the malware scan judged, even if the signatures change meanwhile), else the worker's.
    // Both are written without fsync; one damaged by a power failure does not decode and is recomputed.
    const fs::path scanned_file = dir / "outcome.scanned", decided_file = dir / "outcome";
    if (auto scanned = read_outcome(scanned_file, id)) {
        if (needs_delivery(meta, *rt)) return true;
        release_and_finish(id, meta, *scanned, *rt);
        return false;
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
            RunReport run = run_job(rt->engine, bytes, meta.raw_name(), cfg.worker, cfg.worker_retries,
                                    [&](const WorkerFailure& f) {
                                        metrics_.worker_failure(f.code());
                                        log::warn("job " + id + ": worker failed (" + f.code() + "): " + f.what());
                                    });
            outcome = std::move(run.outcome);
        }
        // No fsync: what was released or held is recorded durably by the release markers themselves.
        durable::replace_lazily(decided_file, encode_outcome(outcome));
    }

    // Before anything leaves: the original and every output through the malware scanner. When the
    // scanner cannot answer, the job waits at the scanner's gate (no worker re-run, no attempt counted:
    // the worker's outcome is kept) and goes on as soon as clamd answers again.
    if (cfg.scan.enabled) park_or_throw(scanner_gate_, id);
    try {
        outcome = apply_malware_scan(std::move(outcome), original, cfg.scan);
    } catch (const ScannerUnavailable& e) {
        metrics_.scan("unavailable");
        scanner_gate_.close(std::string("malware scanner unavailable (clamd at ") + cfg.scan.clamd + "): " + e.what());
        park_or_throw(scanner_gate_, id);
        throw;
    }
    metrics_.scan(!cfg.scan.enabled                      ? "off"
                  : outcome.reason == reason::malware     ? "infected"
                  : outcome.reason == reason::scan_failed ? "refused"
                                                          : "passed");
    durable::replace_lazily(scanned_file, encode_outcome(outcome));
    if (needs_delivery(meta, *rt)) return true;
    release_and_finish(id, meta, outcome, *rt);
    return false;
}

bool Scheduler::deliver(const std::string& id) {
    auto rt = runtime_.get();
    JobMeta meta = spool_.read_meta(Spool::Queue::active, id);
    if (finish_if_recorded(id, meta, *rt)) return true;
    auto scanned = read_outcome(spool_.active(id) / "outcome.scanned", id);
    if (!scanned) return false;
    release_and_finish(id, meta, *scanned, *rt);
    return true;
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

// The verdict line is the job's commit record: once it is durable the release is complete (it was made
// durable before the line), and finishing the job (retiring the share's stage temps, the move to done/)
// needs no fsync of its own. A job found in active/ after that point is finished without releasing
// again (a second release would publish anew once the temps are gone): its `audited` marker says so
// after a kill, and after a power failure the line itself, found at start, or the original being gone
// (only finish() removes it, after the move to done/ that the power failure undid).
bool Scheduler::finish_if_recorded(const std::string& id, const JobMeta& meta, const Runtime& rt) {
    fs::path dir = spool_.active(id);
    std::error_code ec;
    bool recorded = fs::exists(dir / "audited", ec) || audited_before_start_.contains(id);
    if (!recorded && fs::exists(dir / "original", ec)) return false;
    if (!recorded) log::warn("job " + id + " has no original any more: it was finished before an interruption");
    complete(id, meta, rt);
    log::info("job " + id + ": its verdict was recorded before an interruption; finished");
    return true;
}

void Scheduler::complete(const std::string& id, const JobMeta& meta, const Runtime& rt) {
    if (meta.source == Source::share) retire_staging(rt.target.out_root / meta.section, id);
    test_points::crash_point("job.retired");
    spool_.finish(id);
}

void Scheduler::release_and_finish(const std::string& id, const JobMeta& meta, const Outcome& outcome, const Runtime& rt) {
    // Nothing is released while verdicts cannot be recorded: only the jobs in flight when the audit log
    // failed were released ahead of their line, and they get it as soon as it can be written.
    park_or_throw(audit_gate_, id);
    fs::path dir = spool_.active(id);
    JobRelease r = release_job(dir, meta, outcome, rt.target);
    // Audited before the job leaves the spool, exactly once: an "audited" marker (or, after a crash
    // between the append and the marker, the line itself found at start) says it is recorded already;
    // if the line cannot be made durable the job waits at the audit gate and is finished again later
    // (release is idempotent), so no verdict goes unrecorded.
    if (!fs::exists(dir / "audited") && !audited_before_start_.contains(id)) {
        auto& audit = rt.target.quarantine->audit();
        try {
            audit.append(verdict_event(meta, r));
        } catch (const std::exception& e) {
            audit_gate_.close(e.what(), storage_error(e));
            park_or_throw(audit_gate_, id);
            throw;
        }
        test_points::crash_point("job.audited");
        if (std::string p = audit.problem(); !p.empty()) audit_gate_.close(p, true);
        durable::replace_lazily(dir / "audited", "");
    }
    complete(id, meta, rt);
    double latency = static_cast<double>(now_ms() - meta.received_ms) / 1000.0;
    metrics_.item(to_string(meta.source), r.verdict, r.outcome.detected_type, latency);

    std::string line = "job " + id + " " + std::string(to_string(meta.source)) + " " +
                       (meta.section.empty() ? "" : meta.section + "/") + meta.display_name() + ": " +
                       std::string(to_string(r.verdict)) + " (" + r.outcome.detected_type + ")";
    if (r.verdict == Verdict::quarantined) line += " [" + r.outcome.reason + "] " + r.outcome.reason_detail;
    for (const auto& p : r.released) line += " -> " + p.string();
    if (r.quarantine_id) line += " quarantine:" + *r.quarantine_id;
    log::info(line);
}

}  // namespace mugaika
