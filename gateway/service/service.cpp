#include "service.hpp"

#include <sys/statvfs.h>

#include "../office/office_config.hpp"
#include "../scan/clamd_client.hpp"
#include "log.hpp"
#include "mugaika/atomic_file.hpp"

namespace mugaika {

namespace {

std::shared_ptr<const Converter> engine_converter(const std::shared_ptr<office::OfficePool>& pool) {
    if (!pool) return nullptr;
    return std::make_shared<office::PoolConverter>(pool);
}

}  // namespace

Service::Service(GatewayConfig config)
    : converters_(office::service_pool(config)),
      runtime_(std::make_shared<const Runtime>(config, engine_converter(converters_))), started_with_(config),
      spool_(config.spool.dir),
      scheduler_(spool_, runtime_, metrics_, config.worker_count(), config.release.smtp_connections) {}

Service::~Service() { stop(std::chrono::milliseconds(0)); }

std::string Service::intake_problem() const {
    std::lock_guard lock(intake_mutex_);
    auto now = std::chrono::steady_clock::now();
    // Listing the spool on every MAIL command would cost more than the answer is worth; a quarter
    // second of staleness is harmless.
    if (now - intake_checked_ < std::chrono::milliseconds(250)) return intake_cached_;
    intake_checked_ = now;
    intake_cached_.clear();
    const auto& cfg = runtime_.get()->config;
    // Nothing is accepted that could not be given a verdict line: while the audit log cannot be written
    // intake waits (Postfix keeps the mail, the share keeps the file) and resumes by itself.
    bool storage = false;
    if (std::string audit = scheduler_.audit_problem(&storage); !audit.empty()) {
        intake_cached_ = storage ? "452 4.3.1 insufficient system storage for the audit log, try again later"
                                 : "451 4.3.0 audit log unavailable, try again later";
        return intake_cached_;
    }
    struct statvfs st{};
    if (::statvfs(spool_.root().c_str(), &st) == 0) {
        std::uint64_t free_bytes = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
        if (free_bytes < cfg.spool.min_free_bytes) {
            intake_cached_ = "452 4.3.1 insufficient system storage, try again later";
            return intake_cached_;
        }
    }
    std::size_t depth = spool_.depth(Spool::Queue::incoming) + spool_.depth(Spool::Queue::active);
    if (depth >= cfg.spool.max_queue) intake_cached_ = "451 4.3.2 system busy (queue full), try again later";
    return intake_cached_;
}

void Service::start_share() {
    const auto& cfg = runtime_.get()->config;
    if (!cfg.share.enabled) return;
    share_ = std::make_unique<ShareWatcher>(
        cfg.share, spool_, metrics_, [this](const std::string& id) { scheduler_.notify(id); },
        [this] { return intake_problem().empty(); });
    share_->start();
}

void Service::start() {
    warm_up_crypto();   // before any thread: see atomic_file.hpp (a forked worker must not inherit a held lock)
    const auto& cfg = runtime_.get()->config;
    log::info("starting: configuration " + cfg.source + ", spool " + cfg.spool.dir.string() + ", " +
              std::to_string(cfg.worker_count()) + " worker(s)");
    scheduler_.start();
    retention_.start();
    {
        std::lock_guard lock(share_mutex_);
        start_share();
    }
    if (cfg.lmtp.enabled) {
        lmtp_ = std::make_unique<LmtpServer>(
            cfg.lmtp, spool_, metrics_,
            LmtpServer::Hooks{[this](const std::string& id) { scheduler_.notify(id); }, [this] { return intake_problem(); }});
        lmtp_->start();
    }
    if (cfg.http.enabled) {
        http_ = std::make_unique<HttpEndpoint>(cfg.http.listen, [this] { return health(); }, [this] { return metrics_text(); });
        http_->start();
        log::info("http: /healthz and /metrics on " + cfg.http.listen + " (port " + std::to_string(http_->port()) + ")");
    }
}

bool Service::stop(std::chrono::milliseconds grace) {
    // Intake first: from here on nothing new is accepted, so nothing new can be lost.
    if (lmtp_) lmtp_->stop();
    {
        std::lock_guard lock(share_mutex_);
        if (share_) share_->stop();
    }
    bool idle = scheduler_.stop(grace);
    retention_.stop();
    if (http_) http_->stop();
    return idle;
}

void Service::reload(GatewayConfig config) {
    const GatewayConfig& old = started_with_;
    auto warn_kept = [](const std::string& what) { log::warn("reload: " + what + " changes need a restart; kept as it was"); };
    if (config.spool.dir != old.spool.dir) { warn_kept("[spool] dir"); config.spool.dir = old.spool.dir; }
    if (config.lmtp.enabled != old.lmtp.enabled || config.lmtp.listen != old.lmtp.listen) warn_kept("[lmtp] listen/enabled");
    if (config.http.enabled != old.http.enabled || config.http.listen != old.http.listen) warn_kept("[http] listen/enabled");
    if (config.worker_count() != old.worker_count()) warn_kept("[worker] count");
    if (config.release.smtp_connections != old.release.smtp_connections) warn_kept("[release] smtp_connections");
    bool share_changed = config.share.enabled != old.share.enabled || config.share.inbound != old.share.inbound ||
                         config.share.sections != old.share.sections || config.share.settle != old.share.settle ||
                         config.share.rescan != old.share.rescan;
    log::open_syslog(config.syslog);
    if (config.converter.count != old.converter.count || config.converter.max_documents != old.converter.max_documents ||
        config.converter.per_document != old.converter.per_document || config.converter.memory_bytes != old.converter.memory_bytes ||
        config.converter.cpu_seconds != old.converter.cpu_seconds || config.converter.startup != old.converter.startup)
        warn_kept("[converter]");
    runtime_.set(std::make_shared<const Runtime>(config, engine_converter(converters_)));
    if (share_changed) {
        std::lock_guard lock(share_mutex_);
        if (share_) share_->stop();
        share_.reset();
        start_share();
    }
    started_with_.share = config.share;
    log::info("reloaded configuration from " + config.source);
}

std::string Service::health() const {
    if (scheduler_.workers() == 0) return "no workers";
    if (std::string gates = scheduler_.gate_problems(); !gates.empty()) return gates + ": items wait in the spool";
    const auto& scan = runtime_.get()->config.scan;
    if (scan.enabled && !clamd_ping(scan.clamd, std::chrono::seconds(2)))
        return "malware scanner unavailable (clamd at " + scan.clamd + "): items wait in the spool";
    std::string problem = intake_problem();
    if (problem.empty() && runtime_.get()->config.worker.isolation != WorkerIsolation::sandbox)
        return "ok (worker isolation " + std::string(to_string(runtime_.get()->config.worker.isolation)) +
               ": no namespaces, no private root; see docs/service.md \"Sandbox\")";
    return problem;   // a full disk or queue is unhealthy: intake is refusing
}

std::string Service::metrics_text() const {
    Metrics::Gauges g;
    g.incoming = spool_.depth(Spool::Queue::incoming);
    g.active = spool_.depth(Spool::Queue::active);
    g.workers = scheduler_.workers();
    g.busy = scheduler_.busy();
    g.isolation = std::string(to_string(runtime_.get()->config.worker.isolation));
    return metrics_.render(g);
}

}  // namespace mugaika
