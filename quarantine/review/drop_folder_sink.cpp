#include <filesystem>

#include "mugaika/atomic_file.hpp"
#include "mugaika/visible_text.hpp"
#include "mugaika/quarantine/release_sink.hpp"

namespace mugaika::quarantine {

const std::vector<std::string>& known_release_kinds() {
    static const std::vector<std::string> all{release_kind::original, release_kind::resanitize, release_kind::pixels,
                                              release_kind::ppap};
    return all;
}

bool is_known_release_kind(const std::string& kind) {
    for (const auto& k : known_release_kinds())
        if (k == kind) return true;
    return false;
}

std::string safe_release_name(const std::string& name, const std::string& fallback) {
    // Take what follows the last slash or backslash (a name from a mail may carry a Windows path).
    auto cut = name.find_last_of("/\\");
    // Bidi overrides, zero-width and control characters would make the saved name read as something
    // else ("請求書[RLO]fdp.exe" shows as "請求書exe.pdf"): each becomes '_'.
    std::string base = without_hidden_characters(cut == std::string::npos ? name : name.substr(cut + 1), '_');
    std::string out;
    for (unsigned char c : base)
        if (c >= 0x20 && c != 0x7f && c != ':') out.push_back(static_cast<char>(c));
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
    if (out.empty() || out.size() > 200) return fallback;
    return out;
}

std::vector<std::string> ReleaseSink::possible_kinds(const ReleaseCandidate&) const { return known_release_kinds(); }

std::string DropFolderSink::release(const ReleasedItem& item) {
    std::filesystem::create_directories(dir_);
    auto path = write_new_file(dir_, safe_release_name(item.name, item.item_id + ".bin"), item.bytes);
    return path.string();
}

}  // namespace mugaika::quarantine
