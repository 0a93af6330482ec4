// Reading the audit log for the auditor's page: newest first, filtered, a page at a time. The file is
// read backwards in chunks, so the first pages cost what they show, not the whole log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mugaika::quarantine {

struct AuditQuery {
    std::string actor;            // exact
    std::string action;           // exact, or a family with a trailing dot ("user.", "release.")
    std::string item;             // substring of the item id
    std::string outcome;          // ok | denied | error
    std::string from_ts, to_ts;   // ISO UTC bounds of "ts", from inclusive, to exclusive (empty: open)
    std::size_t page = 1;         // 1-based
    std::size_t per_page = 50;
};

struct AuditEntry {
    nlohmann::json line;   // the parsed line; null when it is not JSON (shown raw, it is evidence)
    std::string raw;       // the line's bytes when it is not JSON (at most 2000 bytes)
};

struct AuditPage {
    std::vector<AuditEntry> entries;   // newest first
    bool more = false;                 // older matches exist beyond this page
    std::string unrecorded;            // why this viewing could not be written to the log (a damaged log)
};

AuditPage read_audit_page(const std::filesystem::path& file, const AuditQuery& query);

}  // namespace mugaika::quarantine
