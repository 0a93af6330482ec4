#include "quarantine_hold.hpp"

#include <stdexcept>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika {

std::string held_item_id(const std::string& job_id, const std::string& sha256, int n) {
    // Job ids start with the same "YYYYMMDDTHHMMSSZ" stamp item ids do.
    return job_id.substr(0, 16) + "-" + sha256.substr(0, 12) + "-" +
           quarantine::sha256_hex(job_id + "#" + std::to_string(n)).substr(0, 6);
}

QuarantineHold::QuarantineHold(const quarantine::QuarantineConfig& config) : runtime_(config) {}

std::string QuarantineHold::hold(const JobMeta& meta, const std::filesystem::path& original, const std::string& sha256,
                                 const nlohmann::ordered_json& report, const std::string& delivered_to) {
    std::lock_guard lock(mutex_);
    auto& review = runtime_.service();
    auto& store = review.store();
    // A handful of candidates: a second one is needed only when another job of the same second held
    // the same bytes under the same 24-bit suffix.
    for (int n = 0; n < 8; ++n) {
        std::string id = held_item_id(meta.id, sha256, n);
        if (auto existing = store.find(id)) {
            auto r = nlohmann::json::parse(store.report(*existing), nullptr, false);
            if (r.is_object() && r.value("job_id", "") == meta.id) return id;   // an earlier run held it
            continue;
        }
        quarantine::HoldRequest req;
        req.id = id;
        req.original = read_file(original, std::uint64_t(4) << 30);
        req.report_json = report.dump(2);
        req.name = meta.display_name();
        req.section = meta.section;
        req.sender = meta.sender;
        req.recipients = meta.recipients;
        req.source = std::string(to_string(meta.source));   // the release path an approved release takes
        req.delivered_to = delivered_to;
        return review.hold(req).id;
    }
    throw std::runtime_error("no free quarantine id for job " + meta.id);
}

std::vector<quarantine::Item> QuarantineHold::purge_expired() {
    std::lock_guard lock(mutex_);
    return runtime_.service().purge_expired();
}

}  // namespace mugaika
