// The new root: an empty tmpfs that holds read-only binds of the profile's paths (at the same place)
// and nothing else, made the process's root with pivot_root; the old root is detached.
#include "root.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <set>

namespace mugaika::sandbox {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what) { throw SandboxError("root: " + what + ": " + std::strerror(errno)); }

constexpr const char* staging = "/tmp";   // where the new root is built (hidden: private mount namespace)

void make_parents(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw SandboxError("root: mkdir " + p.parent_path().string() + ": " + ec.message());
}

void set_attr(const std::string& target, std::uint64_t attrs, bool recursive) {
    mount_attr attr{};
    attr.attr_set = attrs;
    if (::syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), recursive ? AT_RECURSIVE : 0, &attr, sizeof attr) != 0)
        fail("mount_setattr " + target);
}

struct Builder {
    std::set<std::string> done;

    // Already visible through a bind of one of its parents.
    bool covered(const std::string& path) const {
        for (const auto& d : done)
            if (path.size() > d.size() && path.compare(0, d.size(), d) == 0 && path[d.size()] == '/') return true;
        return false;
    }

    void add(const std::string& path, bool executable, bool optional, bool device = false, int depth = 0) {
        if (depth > 8) throw SandboxError("root: symlink chain too long at " + path);
        if (covered(path) || !done.insert(path).second) return;
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0) {
            if (optional && errno == ENOENT) return;
            fail("stat " + path);
        }
        std::string inside = std::string(staging) + path;
        make_parents(inside);
        if (S_ISLNK(st.st_mode)) {
            // A link is recreated as a link; what it points to is bound as well.
            char target[PATH_MAX];
            ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
            if (n < 0) fail("readlink " + path);
            target[n] = '\0';
            if (::symlink(target, inside.c_str()) != 0 && errno != EEXIST) fail("symlink " + inside);
            std::error_code ec;
            fs::path resolved = fs::weakly_canonical(fs::path(path).parent_path() / target, ec);
            if (!ec) add(resolved.string(), executable, optional, device, depth + 1);
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            if (::mkdir(inside.c_str(), 0755) != 0 && errno != EEXIST) fail("mkdir " + inside);
        } else {
            int fd = ::open(inside.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0) fail("create " + inside);
            ::close(fd);
        }
        if (::mount(path.c_str(), inside.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) fail("bind " + path);
        if (device && !S_ISCHR(st.st_mode)) throw SandboxError("root: " + path + " is not a character device");
        std::uint64_t attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | (device ? 0 : MOUNT_ATTR_NODEV);
        if (!executable) attrs |= MOUNT_ATTR_NOEXEC;
        set_attr(inside, attrs, true);
    }
};

}  // namespace

void build_root(const Profile& profile) {
    // Nothing we mount here propagates back to the host, nor from it.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("make / private");
    if (::mount("mugaika-root", staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=0755") != 0)
        fail("tmpfs for the new root");
    Builder b;
    for (const auto& m : profile.mounts) b.add(m.path, m.executable, m.optional, m.device);
    for (const auto& p : profile.exec) b.add(p, true, false);
    if (profile.tmpfs_bytes > 0) {
        std::string tmp = std::string(staging) + "/tmp";
        if (::mkdir(tmp.c_str(), 01777) != 0 && errno != EEXIST) fail("mkdir " + tmp);
        std::string opts = "size=" + std::to_string(profile.tmpfs_bytes) + ",mode=1777";
        if (::mount("mugaika-tmp", tmp.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts.c_str()) != 0)
            fail("private /tmp");
    }
    if (::chdir(staging) != 0) fail("chdir to the new root");
    if (::syscall(SYS_pivot_root, ".", ".") != 0) fail("pivot_root");
    // The old root is now stacked under the new one at "/": detach it, nothing of it stays reachable.
    if (::umount2(".", MNT_DETACH) != 0) fail("detach the old root");
    if (::chdir("/") != 0) fail("chdir /");
    set_attr("/", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false);
}

}  // namespace mugaika::sandbox
