// What a reload replaces as one piece: the configuration and the engine built from it. Jobs take a
// snapshot when they start, so a reload never changes the rules under a running job.
#pragma once

#include <memory>
#include <mutex>

#include "../config/gateway_config.hpp"
#include "../release/job_release.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/quarantine/audit_log.hpp"

namespace mugaika {

struct Runtime {
    explicit Runtime(GatewayConfig c)
        : config(std::move(c)), engine(builtin_registry(), config.policy),
          target{config.out_dir,           config.release.maildir,       config.quarantine_dir,
                 config.reports_dir,       config.release.notes,         config.release.smtp_next_hop,
                 config.release.smtp_helo, config.release.smtp_timeout},
          audit(std::make_shared<quarantine::AuditLog>(config.review.audit_file, config.review.audit_syslog)) {}
    GatewayConfig config;
    Engine engine;
    ReleaseTarget target;
    // Every verdict of the gateway goes into the same hash-chained audit log as the officers' actions.
    std::shared_ptr<quarantine::AuditLog> audit;
};

class RuntimeHolder {
public:
    explicit RuntimeHolder(std::shared_ptr<const Runtime> r) : current_(std::move(r)) {}
    std::shared_ptr<const Runtime> get() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void set(std::shared_ptr<const Runtime> r) {
        std::lock_guard lock(mutex_);
        current_ = std::move(r);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Runtime> current_;
};

}  // namespace mugaika
