#include "mugaika/quarantine/runtime.hpp"

namespace mugaika::quarantine {

QuarantineRuntime::QuarantineRuntime(QuarantineConfig config, std::unique_ptr<ReleaseSink> sink)
    : config_(std::move(config)),
      maintenance_(std::make_unique<MaintenanceLock>(config_.store_dir, MaintenanceLock::Mode::shared)) {
    SecretKey key = SecretKey::load_or_create(config_.key_file, config_.store_dir);
    db_ = std::make_unique<Database>(config_.db);
    blobs_ = std::make_unique<BlobStore>(config_.store_dir, key);
    store_ = std::make_unique<ItemStore>(*db_, *blobs_);
    users_ = std::make_unique<Users>(*db_, key,
                                     LockoutPolicy{config_.max_failed_logins, std::int64_t(config_.lockout_minutes) * 60});
    audit_ = std::make_unique<AuditLog>(config_.audit_file, config_.audit_syslog);
    sink_ = sink ? std::move(sink) : std::make_unique<DropFolderSink>(config_.release_dir.string());
    ReviewOptions o;
    o.four_eyes = config_.four_eyes;
    o.retention_seconds = std::int64_t(config_.retention_days) * 86400;
    o.release_kinds = config_.release_kinds;
    o.enrolment_seconds = std::int64_t(config_.enrolment_hours) * 3600;
    service_ = std::make_unique<ReviewService>(*store_, *users_, *audit_, *sink_, o);
}

QuarantineRuntime::~QuarantineRuntime() = default;

}  // namespace mugaika::quarantine
