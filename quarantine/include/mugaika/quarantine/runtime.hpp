// Everything the quarantine needs, built from its configuration: key, store, database, accounts, audit
// log, release sink and the review service. The CLI, the officer UI and the gateway each build one.
#pragma once

#include <memory>

#include "mugaika/quarantine/maintenance_lock.hpp"
#include "mugaika/quarantine/quarantine_config.hpp"
#include "mugaika/quarantine/review_service.hpp"

namespace mugaika::quarantine {

class QuarantineRuntime {
public:
    // `sink`: the gateway's release path; null = a DropFolderSink on [quarantine] release_dir.
    // Throws MaintenanceBusy while a key rotation or a restore runs.
    explicit QuarantineRuntime(QuarantineConfig config, std::unique_ptr<ReleaseSink> sink = nullptr);
    ~QuarantineRuntime();

    ReviewService& service() { return *service_; }
    const QuarantineConfig& config() const { return config_; }

private:
    QuarantineConfig config_;
    // Held shared while this runtime lives: a key rotation or a restore cannot start under it, and it
    // cannot start during one (MaintenanceBusy). Declared first: released last.
    std::unique_ptr<MaintenanceLock> maintenance_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<BlobStore> blobs_;
    std::unique_ptr<ItemStore> store_;
    std::unique_ptr<Users> users_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<ReleaseSink> sink_;
    std::unique_ptr<ReviewService> service_;
};

}  // namespace mugaika::quarantine
