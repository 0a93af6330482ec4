// Appending to the hash-chained audit log. Several processes append to one file (the gateway, the
// officer UI, the CLI): an flock around "read the last line, write the next" keeps the chain whole.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <system_error>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/crypto.hpp"

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
    if (syslog_) ::openlog("mugaika-audit", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

std::uint64_t AuditLog::append(const AuditEvent& ev) {
    std::lock_guard guard(mutex_);
    LockedFd f;
    f.fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (f.fd < 0) fail("open " + file_.string());
    if (::flock(f.fd, LOCK_EX) != 0) fail("lock " + file_.string());
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + file_.string());
    if (st.st_size > 0) {
        char last = 0;
        if (::pread(f.fd, &last, 1, st.st_size - 1) != 1) fail("read " + file_.string());
        // A torn last line (a crash mid-write) must not be chained to silently: stop and let a person look.
        if (last != '\n')
            throw std::runtime_error("audit log " + file_.string() +
                                     " ends in an incomplete line; run `mugaika audit verify` and repair it");
    }
    std::string prev_line = last_line(f.fd, st.st_size);
    std::uint64_t seq = 1;
    std::string prev = std::string(64, '0');
    if (!prev_line.empty()) {
        auto j = nlohmann::json::parse(prev_line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned())
            throw std::runtime_error("audit log " + file_.string() +
                                     ": the last line is damaged; run `mugaika audit verify`");
        seq = j["seq"].get<std::uint64_t>() + 1;
        prev = sha256_hex(prev_line);
    }
    std::int64_t now = now_ms_ ? now_ms_()
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
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
    std::string out = text + "\n";
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
        ssize_t n = ::write(f.fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write " + file_.string());
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) fail("fsync " + file_.string());
    std::string hash = sha256_hex(text);
    nlohmann::ordered_json head{{"seq", seq}, {"sha256", hash}};
    fs::path dir = file_.has_parent_path() ? file_.parent_path() : fs::path(".");
    replace_file(dir, file_.filename().string() + ".head", head.dump() + "\n");
    if (syslog_) ::syslog(LOG_AUTHPRIV | LOG_INFO, "%s sha256=%s", text.c_str(), hash.c_str());
    return seq;
}

}  // namespace mugaika::quarantine
