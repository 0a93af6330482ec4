#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "root.hpp"

namespace mugaika::sandbox {
namespace {

// Spelled out here: Debian 12's kernel headers predate the network and scope fields.
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;   // ABI 4
    std::uint64_t scoped;               // ABI 6
};
struct PathBeneath {
    std::uint64_t allowed_access;
    std::int32_t parent_fd;
} __attribute__((packed));

constexpr std::uint64_t fs_exec = 1ull << 0, fs_write = 1ull << 1, fs_read = 1ull << 2, fs_read_dir = 1ull << 3;
constexpr std::uint64_t fs_truncate = 1ull << 14, fs_ioctl_dev = 1ull << 15;
constexpr std::uint64_t file_rights = fs_exec | fs_write | fs_read | fs_truncate | fs_ioctl_dev;
constexpr std::uint64_t net_bind_tcp = 1ull << 0, net_connect_tcp = 1ull << 1;
constexpr std::uint64_t scope_abstract_unix = 1ull << 0, scope_signal = 1ull << 1;

std::uint64_t fs_rights_for(int abi) {
    std::uint64_t all = (1ull << 13) - 1;   // ABI 1: execute .. make_sym
    if (abi >= 2) all |= 1ull << 13;        // refer
    if (abi >= 3) all |= fs_truncate;
    if (abi >= 5) all |= fs_ioctl_dev;
    return all;
}

[[noreturn]] void fail(const std::string& what) { throw SandboxError("landlock: " + what + ": " + std::strerror(errno)); }

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void allow(int ruleset, const std::string& path, std::uint64_t rights, std::uint64_t handled, bool optional) {
    Fd f{::open(path.c_str(), O_PATH | O_CLOEXEC)};
    if (f.fd < 0) {
        if (optional && errno == ENOENT) return;
        fail("open " + path);
    }
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + path);
    PathBeneath rule{rights & handled, f.fd};
    if (!S_ISDIR(st.st_mode)) rule.allowed_access &= file_rights;
    if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) fail("rule for " + path);
}

}  // namespace

Layer apply_landlock(const Profile& profile) {
    int abi = static_cast<int>(::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION));
    if (abi < 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP) return {"landlock", false, "not offered by this kernel"};
        fail("version");
    }
    RulesetAttr attr{fs_rights_for(abi), 0, 0};
    std::size_t size = sizeof(std::uint64_t);
    if (abi >= 4) {
        attr.handled_access_net = net_bind_tcp | net_connect_tcp;
        size = 2 * sizeof(std::uint64_t);
    }
    if (abi >= 6) {
        attr.scoped = scope_abstract_unix | scope_signal;
        size = sizeof attr;
    }
    Fd ruleset{static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0))};
    if (ruleset.fd < 0) fail("create ruleset");
    for (const auto& m : profile.mounts)
        allow(ruleset.fd, m.path, fs_read | fs_read_dir, attr.handled_access_fs, m.optional);
    for (const auto& p : profile.exec) allow(ruleset.fd, p, fs_read | fs_read_dir | fs_exec, attr.handled_access_fs, false);
    if (profile.tmpfs_bytes > 0)
        allow(ruleset.fd, profile.writable.empty() ? "/tmp" : profile.writable, attr.handled_access_fs & ~fs_exec,
              attr.handled_access_fs, false);
    if (::syscall(SYS_landlock_restrict_self, ruleset.fd, 0) != 0) fail("restrict_self");
    std::string detail = "ABI " + std::to_string(abi) + ": read-only beneath " + std::to_string(profile.mounts.size()) +
                         " paths, execute " + (profile.exec.empty() ? "nothing" : std::to_string(profile.exec.size()) + " programs");
    if (abi >= 4) detail += ", no TCP";
    if (abi >= 6) detail += ", no signals or abstract sockets outside";
    return {"landlock", true, detail};
}

}  // namespace mugaika::sandbox
