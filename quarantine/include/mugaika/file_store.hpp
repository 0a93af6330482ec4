// The file-based quarantine store: one folder per held item holding the original and its report.
// It knows nothing of how items were disarmed; it keeps bytes and a report durably.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mugaika {

struct HeldEntry {
    std::string id;                       // folder name: 20261122T031500Z-<sha256 prefix>-<random>
    std::filesystem::path dir;
};

class FileQuarantine {
public:
    explicit FileQuarantine(std::filesystem::path root);

    // Copies the original and writes the report (JSON text) into a new item folder, atomically: the
    // folder appears complete or not at all. `sha256` names the folder; the report says the rest.
    HeldEntry hold(const std::filesystem::path& original, std::string_view sha256, std::string_view report_json);
    HeldEntry hold_bytes(std::string_view original, std::string_view sha256, std::string_view report_json);

    const std::filesystem::path& root() const { return root_; }

private:
    HeldEntry commit(const std::filesystem::path& staging, std::string_view sha256);
    std::filesystem::path staging_dir();

    std::filesystem::path root_;
};

}  // namespace mugaika
