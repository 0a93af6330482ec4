#include "deliver.hpp"

#include <system_error>

#include "mugaika/atomic_file.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika {
namespace fs = std::filesystem;

Delivery deliver(Outcome outcome, const fs::path& original, const Destinations& to) {
    Delivery d;
    if (!outcome.quarantined()) {
        try {
            fs::create_directories(to.out);
            for (const auto& out : outcome.outputs) d.released.push_back(write_new_file(to.out, out.name, out.bytes));
        } catch (const std::exception& e) {
            for (const auto& p : d.released) {
                std::error_code ignored;
                fs::remove(p, ignored);
            }
            // Our own trouble (an unwritable or full --out), not the input's: the command fails (exit 1)
            // and the input stays where it was; holding it would blame clean input for it.
            throw ReleaseError("cannot write to " + to.out.string() + ": " + e.what());
        }
    }
    d.report = to_report_json(outcome);
    nlohmann::ordered_json paths = nlohmann::ordered_json::array();
    for (const auto& p : d.released) paths.push_back(p.string());
    d.report["released_to"] = paths;

    if (outcome.keeps_original()) {
        // Released parts and the held original go together: if the original cannot be kept, the parts
        // are taken back and the caller keeps the input to try again. Nothing held is ever lost.
        try {
            FileQuarantine q(to.quarantine);
            std::string sha = outcome.input_sha256.empty() ? sha256_file(original) : outcome.input_sha256;
            d.held = q.hold(original, sha, d.report.dump(2));
        } catch (...) {
            for (const auto& p : d.released) {
                std::error_code ignored;
                fs::remove(p, ignored);
            }
            throw;
        }
        d.report["quarantine_id"] = d.held->id;
    } else {
        d.report["quarantine_id"] = nullptr;
    }
    if (!to.reports.empty()) {
        fs::create_directories(to.reports);
        std::string base = check_name(outcome.input_name).safe_name;
        d.report_file = write_new_file(to.reports, base + ".report.json", d.report.dump(2) + "\n");
    }
    d.outcome = std::move(outcome);
    return d;
}

}  // namespace mugaika
