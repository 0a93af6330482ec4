#include "member_path.hpp"

#include "mugaika/names.hpp"

namespace mugaika::archive {

MemberPath member_path(std::string_view path) {
    MemberPath m;
    std::vector<std::string_view> parts;
    for (std::size_t start = 0; start <= path.size();) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    if (parts.empty()) {
        m.problem = "no file name";
        return m;
    }
    m.base = std::string(parts.back());
    parts.pop_back();
    for (auto part : parts) {
        // A folder is never run, but a folder that looks like a program ("請求書.pdf.exe/") or hides
        // its name (RLO) only exists to deceive whoever opens it: the member is not placed.
        NameCheck c = check_name(part);
        if (c.dangerous) {
            m.problem = "dangerous folder name " + c.safe_name;
            return m;
        }
        if (c.safe_name != part) m.renamed = true;
        m.folders.push_back(std::move(c.safe_name));
    }
    return m;
}

std::string join_path(const std::vector<std::string>& folders, std::string_view name) {
    std::string out;
    for (const auto& f : folders) out += f + "/";
    return out + std::string(name);
}

}  // namespace mugaika::archive
