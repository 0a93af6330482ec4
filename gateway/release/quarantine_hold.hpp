// The service's door into the officer's quarantine (docs/quarantine.md): held jobs go into the
// encrypted store with their report, and the retention rule runs from here. Holding is idempotent by
// job id, so a job resumed after a crash never holds its original twice.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../spool/spool.hpp"
#include "mugaika/quarantine/runtime.hpp"

namespace mugaika {

class QuarantineHold {
public:
    explicit QuarantineHold(const quarantine::QuarantineConfig& config);

    // Holds the job's original (read from `original`) with its report; returns the item id. A second
    // call for the same job returns the id of the first. Throws on I/O or database trouble: the job
    // then stays in the spool and is retried.
    // `delivered_to`: where the rest went when only parts of the job were held (for the officer's page).
    std::string hold(const JobMeta& meta, const std::filesystem::path& original, const std::string& sha256,
                     const nlohmann::ordered_json& report, const std::string& delivered_to = "");
    // The retention rule: disposes of everything held longer than [quarantine] retention_days.
    std::vector<quarantine::Item> purge_expired();

    quarantine::AuditLog& audit() { return runtime_.service().audit(); }
    const quarantine::QuarantineConfig& config() const { return runtime_.config(); }

private:
    std::mutex mutex_;   // one database session for the whole service: one caller at a time
    quarantine::QuarantineRuntime runtime_;
};

// The item id a job is held under: the job's time stamp, the original's SHA-256 prefix and a suffix
// derived from the job id (candidate `n` when an earlier candidate belongs to another job).
std::string held_item_id(const std::string& job_id, const std::string& sha256, int n);

}  // namespace mugaika
