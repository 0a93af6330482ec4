// Maintenance commands are often run as root (sudo mugaika ...), while the service runs as its own user.
// A file they write in place of another must keep the owner the service expects, or the service could
// no longer read its key, its objects or its audit log afterwards.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace mugaika::quarantine {

// When running as root: gives `file` the owner and group of `like` (a file or its folder). Otherwise a
// no-op (a non-root process can only have written files as itself, which is the owner already).
inline void keep_owner(const std::filesystem::path& file, const std::filesystem::path& like) {
    if (::geteuid() != 0) return;
    struct stat st{};
    if (::stat(like.c_str(), &st) != 0) return;
    [[maybe_unused]] int rc = ::lchown(file.c_str(), st.st_uid, st.st_gid);
}

}  // namespace mugaika::quarantine
