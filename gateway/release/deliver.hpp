// Release or quarantine of one processed item: clean outputs into the drop folder, atomically and never
// overwriting; the original and its report into quarantine when anything of it was held.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
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
    Outcome outcome;
    std::vector<std::filesystem::path> released;
    std::optional<HeldEntry> held;
    std::optional<std::filesystem::path> report_file;
    nlohmann::ordered_json report;                 // the report with where things went
};

struct ReleaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Releases the outputs or holds the original (read from `original`). If writing an output fails, the
// outputs already written for this item are removed again and ReleaseError is thrown: an item is
// released whole or not at all, and a drop folder we cannot write is our trouble (exit 1), not a
// reason to hold the input. Throws std::system_error when the quarantine cannot be written (the
// caller must then keep the original and report an internal error).
Delivery deliver(Outcome outcome, const std::filesystem::path& original, const Destinations& to);

}  // namespace mugaika
