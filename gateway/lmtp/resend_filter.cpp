#include "resend_filter.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "mugaika/atomic_file.hpp"
#include "mugaika/names.hpp"
#include "mugaika/report.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {

// The records of one identity: [{"job":..., "recipients":[...], "ms":...}, ...]; empty when unreadable.
nlohmann::json read_records(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return nlohmann::json::array();
    try {
        auto j = nlohmann::json::parse(read_file(file, 1 << 20));
        if (j.is_array()) return j;
    } catch (const std::exception&) {
    }
    return nlohmann::json::array();
}

}  // namespace

ResendFilter::ResendFilter(Spool& spool, std::chrono::seconds window)
    : spool_(spool), window_(window), dir_(spool.root() / "resent") {
    if (enabled()) fs::create_directories(dir_);
}

fs::path ResendFilter::file_for(std::string_view sender, std::string_view message) const {
    std::string identity;
    identity.reserve(sender.size() + 1 + message.size());
    identity.append(sender);
    identity.push_back('\0');
    identity.append(message);
    return dir_ / sha256_hex(identity);
}

ResendFilter::Decision ResendFilter::check(std::string_view sender, const std::vector<std::string>& recipients,
                                           std::string_view message) {
    Decision d;
    d.recipients = recipients;
    if (!enabled()) return d;
    std::set<std::string> covered;
    const std::int64_t oldest = now_ms() - static_cast<std::int64_t>(window_.count()) * 1000;
    for (const auto& r : read_records(file_for(sender, message))) {
        if (!r.is_object() || !r.contains("job") || !r["job"].is_string() || !r.contains("recipients") ||
            !r["recipients"].is_array() || !r.contains("ms") || !r["ms"].is_number_integer())
            continue;
        std::string job = r["job"];
        // Only a job that was really accepted counts: one whose commit failed is not in the spool.
        if (r["ms"].get<std::int64_t>() < oldest || !Spool::valid_id(job) || !spool_.known(job)) continue;
        bool any = false;
        for (const auto& rc : r["recipients"])
            for (const auto& want : recipients)
                if (rc.is_string() && rc.get<std::string>() == valid_utf8(want)) {
                    covered.insert(want);
                    any = true;
                }
        if (any && d.earlier_job.empty()) d.earlier_job = job;
    }
    d.recipients.clear();
    for (const auto& r : recipients)
        if (!covered.contains(r)) d.recipients.push_back(r);
    return d;
}

void ResendFilter::record(std::string_view sender, std::string_view message, const std::string& job,
                          const std::vector<std::string>& recipients) {
    if (!enabled()) return;
    fs::path file = file_for(sender, message);
    nlohmann::json records = read_records(file);
    std::vector<std::string> shown;   // addresses may hold 8-bit bytes; JSON holds UTF-8 only
    for (const auto& r : recipients) shown.push_back(valid_utf8(r));
    records.push_back({{"job", job}, {"recipients", shown}, {"ms", now_ms()}});
    // Durable before the job is: an acknowledged job always has its record.
    replace_file(dir_, file.filename().string(), records.dump() + "\n");
}

}  // namespace mugaika
