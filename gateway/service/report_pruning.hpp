// The per-item JSON reports of [paths] reports are kept [paths] keep_reports_days, then removed by the
// service (with the quarantine's retention round): without it the folder grows by one file per item
// for ever. What happened to each item stays in the audit log and, for held items, in the quarantine.
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>

namespace mugaika {

// Removes the regular files NAME.json directly in `dir` last modified before `cutoff` (seconds since the
// epoch). Anything else (folders, other names, links) is left alone. Returns how many were removed; a
// missing folder is not an error.
std::size_t prune_reports(const std::filesystem::path& dir, std::time_t cutoff);

}  // namespace mugaika
