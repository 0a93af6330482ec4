#include "share_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace mugaika {

bool ignored_share_name(std::string_view name) {
    if (name.empty() || name.front() == '.' || name.starts_with("~$") || name.starts_with("~")) return true;
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    static constexpr std::array<std::string_view, 6> suffixes{".tmp", ".part", ".crdownload", ".partial", ".swp", "~"};
    for (auto s : suffixes)
        if (std::string_view(lower).ends_with(s)) return true;
    return lower == "thumbs.db" || lower == "desktop.ini";
}

}  // namespace mugaika
