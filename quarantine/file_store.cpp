#include "mugaika/file_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <random>
#include <system_error>

#include "mugaika/atomic_file.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {

std::string random_suffix() {
    std::random_device rd;
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 6; ++i) s.push_back(hex[rd() & 15]);
    return s;
}

std::string utc_stamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

void fsync_file(const fs::path& p) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + p.string());
    int rc = durable_sync(fd, SyncKind::file);
    int e = errno;
    ::close(fd);
    if (rc != 0) throw std::system_error(e, std::generic_category(), "fsync " + p.string());
}

}  // namespace

FileQuarantine::FileQuarantine(fs::path root) : root_(std::move(root)) { fs::create_directories(root_); }

fs::path FileQuarantine::staging_dir() {
    fs::path staging = root_ / (".staging-" + random_suffix() + random_suffix());
    fs::create_directory(staging);
    return staging;
}

HeldEntry FileQuarantine::commit(const fs::path& staging, std::string_view sha256) {
    sync_directory(staging);
    std::string prefix = utc_stamp() + "-" + std::string(sha256.substr(0, 12)) + "-";
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string id = prefix + random_suffix();
        fs::path final_dir = root_ / id;
        if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_NOREPLACE) == 0) {
            sync_directory(root_);
            return HeldEntry{id, final_dir};
        }
        if (errno != EEXIST) break;
    }
    int e = errno;
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw std::system_error(e, std::generic_category(), "cannot commit quarantine item in " + root_.string());
}

HeldEntry FileQuarantine::hold(const fs::path& original, std::string_view sha256, std::string_view report_json) {
    fs::path staging = staging_dir();
    try {
        fs::copy_file(original, staging / "original");
        fsync_file(staging / "original");
        write_new_file(staging, "report.json", report_json);
        return commit(staging, sha256);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        throw;
    }
}

HeldEntry FileQuarantine::hold_bytes(std::string_view original, std::string_view sha256, std::string_view report_json) {
    fs::path staging = staging_dir();
    try {
        write_new_file(staging, "original", original);
        write_new_file(staging, "report.json", report_json);
        return commit(staging, sha256);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        throw;
    }
}

}  // namespace mugaika
