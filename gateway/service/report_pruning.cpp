#include "report_pruning.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace mugaika {
namespace fs = std::filesystem;

std::size_t prune_reports(const fs::path& dir, std::time_t cutoff) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    std::size_t removed = 0;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() != ".json") continue;
        struct stat st{};
        // lstat: a link is never followed out of the folder, and never counted as a report.
        if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_mtime >= cutoff) continue;
        if (::unlink(p.c_str()) == 0) ++removed;
    }
    return removed;
}

}  // namespace mugaika
