// Release or quarantine of one processed item: clean outputs into the drop folder, atomically and never
// overwriting; the original and its report into quarantine when anything of it was held.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mugaika/file_store.hpp"
#include "mugaika/outcome.hpp"

namespace mugaika {

struct Destinations {
    std::filesystem::path out;
    std::filesystem::path quarantine;
    std::filesystem::path reports;   // empty: none
};

struct Delivery {
    Outcome outcome;                               // may have turned to quarantined (release failed)
    std::vector<std::filesystem::path> released;
    std::optional<HeldEntry> held;
    std::optional<std::filesystem::path> report_file;
    nlohmann::ordered_json report;                 // the report with where things went
};

// Releases the outputs or holds the original (read from `original`). If writing an output fails, the
// outputs already written for this item are removed again and the item is held instead: an item is
// released whole or not at all. Throws std::system_error only when even the quarantine cannot be
// written (the caller must then keep the original and report an internal error).
Delivery deliver(Outcome outcome, const std::filesystem::path& original, const Destinations& to);

}  // namespace mugaika
