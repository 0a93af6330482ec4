// Appending to the hash-chained audit log. Several processes append to one file (the gateway, the
// officer UI, the CLI): an flock around "read the last line, write the next" keeps the chain whole.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>

#include "mugaika/syslog_stream.hpp"
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <ctime>
#include <system_error>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/test_points.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& what, int e = errno) {
    throw std::system_error(e, std::generic_category(), "audit log: " + what);
}

struct LockedFd {
    int fd = -1;
    ~LockedFd() {
        if (fd >= 0) ::close(fd);   // closing releases the flock
    }
};

std::string iso_time(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

// The last line of the file (without its newline), read backwards in chunks.
std::string last_line(int fd, off_t size) {
    if (size == 0) return {};
    std::string tail;
    off_t pos = size;
    const off_t chunk = 8192;
    while (pos > 0) {
        off_t start = pos > chunk ? pos - chunk : 0;
        std::string buf(static_cast<std::size_t>(pos - start), '\0');
        ssize_t n = ::pread(fd, buf.data(), buf.size(), start);
        if (n != static_cast<ssize_t>(buf.size())) fail("read");
        tail.insert(0, buf);
        pos = start;
        // tail ends with '\n' (a complete line); look for the newline before it.
        auto nl = tail.find_last_of('\n', tail.size() >= 2 ? tail.size() - 2 : 0);
        if (tail.size() >= 2 && nl != std::string::npos) return tail.substr(nl + 1, tail.size() - nl - 2);
        if (tail.size() > (64u << 20)) throw std::runtime_error("audit log: last line longer than 64 MiB");
    }
    if (!tail.empty() && tail.back() == '\n') tail.pop_back();
    return tail;
}

}  // namespace

AuditLog::AuditLog(fs::path file, bool syslog_mirror) : file_(std::move(file)), syslog_(syslog_mirror) {
    if (file_.has_parent_path()) fs::create_directories(file_.parent_path());
}

namespace {

// Writes all of `bytes` at the end of `fd`; the errno of the first failure, or 0. A test build can
// inject a failure after half of the bytes (a disk that fills up in the middle of a line).
int write_all(int fd, std::string_view bytes) {
    if (int injected = test_points::injected_error("audit.write")) {
        (void)!::write(fd, bytes.data(), bytes.size() / 2);
        return injected;
    }
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

// The offset just after the last newline before `size` (0 when there is none): where a torn line starts.
off_t after_last_newline(int fd, off_t size) {
    off_t pos = size;
    char buf[8192];
    while (pos > 0) {
        off_t start = pos > static_cast<off_t>(sizeof buf) ? pos - static_cast<off_t>(sizeof buf) : 0;
        std::size_t n = static_cast<std::size_t>(pos - start);
        if (::pread(fd, buf, n, start) != static_cast<ssize_t>(n)) fail("read");
        for (std::size_t i = n; i > 0; --i)
            if (buf[i - 1] == '\n') return start + static_cast<off_t>(i);
        pos = start;
        if (size - pos > (64 << 20)) throw std::runtime_error("audit log: torn last line longer than 64 MiB");
    }
    return 0;
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string AuditLog::problem() const {
    std::lock_guard guard(problem_mutex_);
    return problem_;
}

void AuditLog::set_problem(std::string p) {
    std::lock_guard guard(problem_mutex_);
    problem_ = std::move(p);
}

// One line, chained to `prev_line`, written at the end of the locked file and made durable. On any
// failure the file is cut back to `good_size`, exactly as it was, and the error thrown: a failed append
// leaves no torn line behind for the next one to trip over.
std::string AuditLog::write_line(int fd, off_t good_size, const std::string& prev_line, const AuditEvent& ev,
                                 std::uint64_t& seq) {
    seq = 1;
    std::string prev = std::string(64, '0');
    if (!prev_line.empty()) {
        auto j = nlohmann::json::parse(prev_line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned())
            throw std::runtime_error("audit log " + file_.string() +
                                     ": the last line is damaged; run `mugaika audit verify`");
        seq = j["seq"].get<std::uint64_t>() + 1;
        prev = sha256_hex(prev_line);
    }
    std::int64_t now = now_ms_ ? now_ms_() : wall_ms();
    nlohmann::ordered_json line;
    line["seq"] = seq;
    line["ts"] = iso_time(now);
    line["actor"] = ev.actor;
    line["action"] = ev.action;
    line["item"] = ev.item;
    line["outcome"] = ev.outcome;
    line["detail"] = ev.detail;
    line["prev"] = prev;
    // replace: text from outside (a user name typed at the login form) may not be valid UTF-8.
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    int e = write_all(fd, text + "\n");
    if (e == 0) test_points::crash_point("audit.written");
    if (e == 0 && durable_sync(fd, SyncKind::file) != 0) e = errno;
    if (e != 0) {
        // Back to the last good length (and that made durable), then report the original error.
        if (::ftruncate(fd, good_size) == 0) durable_sync(fd, SyncKind::file);
        fail("append to " + file_.string() + " (the file is left as it was)", e);
    }
    return text;
}

std::uint64_t AuditLog::append(const AuditEvent& ev) {
    std::lock_guard guard(mutex_);
    LockedFd f;
    try {
        f.fd = open_locked_audit_file(file_);   // audit_rotate.cpp: never the archived file of a rotation
    } catch (const std::system_error& e) {
        set_problem(e.what());
        throw;
    }
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + file_.string());
    if (!S_ISREG(st.st_mode)) throw std::runtime_error("audit log " + file_.string() + " is not a regular file");
    off_t size = st.st_size;
    std::string prev_line;
    std::uint64_t seq = 0;
    std::string text;
    try {
        if (size > 0) {
            char last = 0;
            if (::pread(f.fd, &last, 1, size - 1) != 1) fail("read " + file_.string());
            if (last != '\n') {
                // A torn last line: an append that never completed (a crash or power failure in the middle
                // of a write; a failed append cuts itself back). It was never acknowledged, so the action
                // it describes did not take place as far as anybody was told. It is cut off, and the cut
                // is itself recorded, with the bytes removed, so that nothing disappears without a trace.
                off_t good = after_last_newline(f.fd, size);
                std::string whole(static_cast<std::size_t>(size - good), '\0');   // the torn bytes
                if (::pread(f.fd, whole.data(), whole.size(), good) != static_cast<ssize_t>(whole.size()))
                    fail("read " + file_.string());
                std::string before = last_line(f.fd, good);
                if (::ftruncate(f.fd, good) != 0 || durable_sync(f.fd, SyncKind::file) != 0) fail("cut the torn line of " + file_.string());
                size = good;
                AuditEvent repair;
                repair.actor = "audit";
                repair.action = "audit.repaired";
                repair.outcome = "ok";
                repair.detail = {{"removed_bytes", whole.size()},
                                 {"removed_sha256", sha256_hex(whole)},
                                 {"removed", whole.substr(0, 64 * 1024)},
                                 {"why", "an incomplete last line (an interrupted append) was cut off"}};
                std::uint64_t repair_seq = 0;
                prev_line = write_line(f.fd, size, before, repair, repair_seq);
                size += static_cast<off_t>(prev_line.size() + 1);
            }
        }
        if (prev_line.empty()) prev_line = last_line(f.fd, size);
        text = write_line(f.fd, size, prev_line, ev, seq);
    } catch (const std::system_error& e) {
        set_problem(e.what());
        throw;
    }
    test_points::crash_point("audit.durable");
    // The line is durable: the action is recorded, and this call succeeds whatever happens to the head
    // below (a caller that retried would record the same action twice). A head that could not be
    // updated lags behind the log, which `audit verify` accepts as long as it still matches the line it
    // names; the next append brings it up to date. problem() tells the service meanwhile.
    std::string hash = sha256_hex(text);
    try {
        if (int injected = test_points::injected_error("audit.head"))
            throw std::system_error(injected, std::generic_category(), "write the head file");
        nlohmann::ordered_json head{{"seq", seq}, {"sha256", hash}};
        fs::path dir = file_.has_parent_path() ? file_.parent_path() : fs::path(".");
        // Without fsync: the head is rewritten by every append, and a head that lags behind the log is
        // accepted by `audit verify` as long as it matches the line it names. After a power failure the
        // rename leaves the previous head or this one (ext4 and btrfs write a file's data before a
        // rename over an existing one commits); the line itself was made durable above.
        replace_file_lazily(dir, file_.filename().string() + ".head", head.dump() + "\n");
        set_problem("");
    } catch (const std::exception& e) {
        set_problem(std::string("the head file of ") + file_.string() + " could not be updated: " + e.what());
    }
    // Its own stream (authpriv, "mugaika-audit"): never openlog(), which would take the service's log over.
    if (syslog_) audit_syslog().send(LOG_INFO, text + " sha256=" + hash);
    return seq;
}

std::vector<nlohmann::json> recent_audit_records(const fs::path& file, std::size_t max_bytes) {
    std::vector<nlohmann::json> out;
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return out;
    struct stat st{};
    std::string buf;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t start = st.st_size > static_cast<off_t>(max_bytes) ? st.st_size - static_cast<off_t>(max_bytes) : 0;
        buf.resize(static_cast<std::size_t>(st.st_size - start));
        ssize_t n = ::pread(fd, buf.data(), buf.size(), start);
        buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        if (start > 0) {   // the first line is partial: skip to the next line start
            auto nl = buf.find('\n');
            buf.erase(0, nl == std::string::npos ? buf.size() : nl + 1);
        }
    }
    ::close(fd);
    for (std::size_t at = 0, nl; (nl = buf.find('\n', at)) != std::string::npos; at = nl + 1) {
        auto j = nlohmann::json::parse(buf.begin() + static_cast<std::ptrdiff_t>(at), buf.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
        if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
}

}  // namespace mugaika::quarantine
