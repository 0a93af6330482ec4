#include "output_tree.hpp"

#include <cctype>

namespace mugaika::archive {

std::string OutputTree::fold(const std::string& path) {
    std::string k = path;
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return k;
}

std::string OutputTree::numbered(const std::string& name, int n) {
    auto dot = name.rfind('.');
    std::string suffix = " (" + std::to_string(n) + ")";
    if (dot == std::string::npos || dot == 0) return name + suffix;
    return name.substr(0, dot) + suffix + name.substr(dot);
}

std::string OutputTree::place(const std::vector<std::string>& folders, const std::string& name) {
    std::string sent, given;   // the folder path as sent, and where it was put
    for (const auto& f : folders) {
        sent += (sent.empty() ? "" : "/") + f;
        if (auto it = folders_.find(fold(sent)); it != folders_.end()) {
            given = it->second;
            continue;
        }
        std::string prefix = given.empty() ? "" : given + "/";
        std::string candidate = prefix + f;
        // A folder can join a folder of the same name, never a file. Each try takes a number the tree
        // has not used for this name, and the tree holds at most as many paths as there are members.
        for (int n = 2; taken(candidate) && kinds_.at(fold(candidate)) == Kind::file; ++n)
            candidate = prefix + numbered(f, n);
        kinds_.emplace(fold(candidate), Kind::folder);
        folders_.emplace(fold(sent), candidate);
        given = candidate;
    }
    std::string prefix = given.empty() ? "" : given + "/";
    std::string candidate = prefix + name;
    for (int n = 2; taken(candidate); ++n) candidate = prefix + numbered(name, n);
    kinds_.emplace(fold(candidate), Kind::file);
    return candidate;
}

}  // namespace mugaika::archive
