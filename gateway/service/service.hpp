// The gateway service: spool, scheduler with its worker pool, watched share, LMTP server and the HTTP
// endpoint, wired together. `mugaika serve` runs one of these until SIGTERM.
#pragma once

#include <memory>
#include <mutex>

#include "../lmtp/server.hpp"
#include "../share/watcher.hpp"
#include "../spool/spool.hpp"
#include "http.hpp"
#include "retention.hpp"
#include "metrics.hpp"
#include "runtime.hpp"
#include "../office/office_pool.hpp"
#include "scheduler.hpp"

namespace mugaika {

class Service {
public:
    explicit Service(GatewayConfig config);
    ~Service();

    void start();
    // Stops intake (share, LMTP), then lets running jobs finish for up to `grace`. False when some were
    // still running (they stay in active/ and resume at next start; exit the process at once then).
    bool stop(std::chrono::milliseconds grace);
    // Applies a new, already validated configuration. Settings that need new sockets or another spool
    // are kept as they were, with a warning.
    void reload(GatewayConfig config);

    std::string health() const;
    std::string metrics_text() const;
    // "" when intake may accept; else a 4xx reply line for LMTP (the share just waits).
    std::string intake_problem() const;

private:
    void start_share();

    // The warm LibreOffice converters (docs/legacy.md): built before the first Runtime, which hands
    // them to its engine; [converter] changes need a restart.
    std::shared_ptr<office::OfficePool> converters_;
    RuntimeHolder runtime_;
    GatewayConfig started_with_;
    Spool spool_;
    Metrics metrics_;
    Scheduler scheduler_;
    std::unique_ptr<ShareWatcher> share_;
    std::unique_ptr<LmtpServer> lmtp_;
    std::unique_ptr<HttpEndpoint> http_;
    RetentionTimer retention_{runtime_};
    std::mutex share_mutex_;
    mutable std::mutex intake_mutex_;
    mutable std::chrono::steady_clock::time_point intake_checked_{};
    mutable std::string intake_cached_;
};

}  // namespace mugaika
