// The paths of the rebuilt archive. Windows folds case, so "Report.pdf" and "report.pdf" would
// overwrite each other on extraction, and a file cannot share its path with a folder: every path is
// unique case-insensitively, a clash gets a number ("a (2).txt", "docs (2)/"). Only kept files are
// placed, so folders exist only as paths of kept files.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mugaika::archive {

class OutputTree {
public:
    // The path `name` gets inside `folders`; the same folders always map to the same place.
    std::string place(const std::vector<std::string>& folders, const std::string& name);

private:
    enum class Kind { file, folder };
    bool taken(const std::string& path) const { return kinds_.count(fold(path)) != 0; }
    static std::string fold(const std::string& path);
    static std::string numbered(const std::string& name, int n);

    std::map<std::string, Kind> kinds_;          // folded path -> what is there
    std::map<std::string, std::string> folders_;  // folded path as sent -> path given
};

}  // namespace mugaika::archive
