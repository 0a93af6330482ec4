#include "durable.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "mugaika/atomic_file.hpp"

namespace mugaika::durable {
namespace {

[[noreturn]] void fail(int e, const std::string& what) { throw std::system_error(e, std::generic_category(), what); }

struct Fd {
    int fd = -1;
    ~Fd() { if (fd >= 0) ::close(fd); }
};

void write_fd(int fd, const char* p, std::size_t n, const std::filesystem::path& path) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(w < 0 ? errno : EIO, "write " + path.string());
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

}  // namespace

void write(const std::filesystem::path& path, std::string_view bytes) {
    Fd f;
    f.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (f.fd < 0) fail(errno, "create " + path.string());
    try {
        write_fd(f.fd, bytes.data(), bytes.size(), path);
        if (durable_sync(f.fd, SyncKind::file) != 0) fail(errno, "fsync " + path.string());
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
}

std::uint64_t copy(const std::filesystem::path& from, const std::filesystem::path& to) {
    Fd in;
    in.fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in.fd < 0) fail(errno, "open " + from.string());
    return copy_fd(in.fd, to);
}

void write_named(const std::filesystem::path& path, std::string_view bytes) {
    write(path, bytes);
    sync_directory(path.parent_path());
}

std::uint64_t copy_fd(int from_fd, const std::filesystem::path& to) {
    Fd out;
    out.fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (out.fd < 0) fail(errno, "create " + to.string());
    std::uint64_t total = 0;
    try {
        char buf[1 << 16];
        while (true) {
            ssize_t n = ::read(from_fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(errno, "read of the file being copied");
            if (n == 0) break;
            write_fd(out.fd, buf, static_cast<std::size_t>(n), to);
            total += static_cast<std::uint64_t>(n);
        }
        if (durable_sync(out.fd, SyncKind::file) != 0) fail(errno, "fsync " + to.string());
    } catch (...) {
        ::unlink(to.c_str());
        throw;
    }
    return total;
}

void rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) fail(errno, "rename " + from.string() + " -> " + to.string());
    // Only the folder that gains the name: should the removal from the other be lost in a power
    // failure, the file is found under both names, and every caller takes the new one as the truth
    // (a Maildir's tmp/ is never read as mail).
    sync_directory(to.parent_path());
}

void replace_lazily(const std::filesystem::path& path, std::string_view bytes) {
    std::filesystem::path temp = path.parent_path() / ("." + path.filename().string() + ".new");
    ::unlink(temp.c_str());
    {
        Fd f;
        f.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (f.fd < 0) fail(errno, "create " + temp.string());
        write_fd(f.fd, bytes.data(), bytes.size(), temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(temp.c_str());
        fail(e, "rename " + temp.string());
    }
}

bool link_noreplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), 0) == 0) return true;
    if (errno == EEXIST) return false;
    fail(errno, "link " + from.string() + " -> " + to.string());
}

bool rename_noreplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno == EEXIST) return false;
    fail(errno, "rename " + from.string() + " -> " + to.string());
}

}  // namespace mugaika::durable
