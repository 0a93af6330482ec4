// What a reload replaces as one piece: the configuration and the engine built from it. Jobs take a
// snapshot when they start, so a reload never changes the rules under a running job.
#pragma once

#include <memory>
#include <mutex>

#include "../config/gateway_config.hpp"
#include "../release/job_release.hpp"
#include "mugaika/engine.hpp"

namespace mugaika {

struct Runtime {
    // `converter`: the service's warm LibreOffice pool (kept across reloads), or null.
    explicit Runtime(GatewayConfig c, std::shared_ptr<const Converter> converter = nullptr)
        : config(std::move(c)), engine(builtin_registry(), config.policy),
          target{config.out_dir,
                 config.release.maildir,
                 std::make_shared<QuarantineHold>(config.review),
                 config.reports_dir,
                 config.release.notes,
                 config.release.smtp_next_hop,
                 config.release.smtp_helo,
                 {config.release.smtp_timeout, config.release.smtp_min_data_rate}} {
        engine.set_converter(std::move(converter));
    }
    GatewayConfig config;
    Engine engine;
    ReleaseTarget target;   // target.quarantine: the officer's store, whose audit log also takes every verdict
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
