// Rotating the audit log without breaking its chain, and verifying a chain of rotated files.
//
// logrotate's copytruncate would cut lines out of the chain (and race with appenders); its create mode
// would leave a new file whose first line chains to nothing. Instead the log rotates itself, under the
// same lock its appenders take: FILE keeps its inode under a new name (a hard link, so that at no moment
// is there no FILE for an appender to open), and a new FILE, whose first line records the archived
// file's last hash, is renamed into place. An appender that was waiting for the lock on the old inode
// notices, once it has the lock, that its descriptor is no longer FILE, and opens FILE again.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <system_error>

#include "../maintenance/ownership.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, int e = errno) {
    throw std::system_error(e, std::generic_category(), "audit log: " + what);
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string utc(std::int64_t ms, const char* format) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string iso_time(std::int64_t ms) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
    return utc(ms, "%Y-%m-%dT%H:%M:%S") + frac;
}

// The last complete line of the file at `fd` (without its newline); empty for an empty file.
std::string last_line(int fd, off_t size) {
    std::string tail;
    off_t pos = size;
    while (pos > 0) {
        off_t start = pos > 8192 ? pos - 8192 : 0;
        std::string buf(static_cast<std::size_t>(pos - start), '\0');
        if (::pread(fd, buf.data(), buf.size(), start) != static_cast<ssize_t>(buf.size())) fail("read");
        tail.insert(0, buf);
        pos = start;
        auto nl = tail.size() >= 2 ? tail.find_last_of('\n', tail.size() - 2) : std::string::npos;
        if (nl != std::string::npos) return tail.substr(nl + 1, tail.size() - nl - 2);
        if (tail.size() > (64u << 20)) throw std::runtime_error("audit log: last line longer than 64 MiB");
    }
    if (!tail.empty() && tail.back() == '\n') tail.pop_back();
    return tail;
}

std::string last_line_of(const fs::path& file) {
    Fd f;
    f.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (f.fd < 0) fail("open " + file.string());
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + file.string());
    return last_line(f.fd, st.st_size);
}

std::string first_line_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    std::getline(in, line);
    return line;
}

fs::path sibling(const fs::path& file, const std::string& suffix) {
    fs::path p = file;
    p += suffix;
    return p;
}

}  // namespace

int open_locked_audit_file(const fs::path& file) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0) fail("open " + file.string());
        if (::flock(fd, LOCK_EX) != 0) {
            int e = errno;
            ::close(fd);
            fail("lock " + file.string(), e);
        }
        struct stat held{}, named{};
        if (::fstat(fd, &held) != 0) {
            int e = errno;
            ::close(fd);
            fail("stat " + file.string(), e);
        }
        if (::stat(file.c_str(), &named) == 0 && named.st_dev == held.st_dev && named.st_ino == held.st_ino)
            return fd;
        ::close(fd);   // rotated while we waited: this inode is an archived file now
    }
    throw std::runtime_error("audit log " + file.string() + " keeps being replaced; giving up");
}

AuditRotation AuditLog::rotate(const AuditEvent& ev) {
    std::lock_guard guard(mutex_);
    Fd f;
    f.fd = open_locked_audit_file(file_);
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) fail("stat " + file_.string());
    AuditRotation r;
    if (st.st_size == 0) return r;
    char last = 0;
    if (::pread(f.fd, &last, 1, st.st_size - 1) != 1) fail("read " + file_.string());
    if (last != '\n')
        throw std::runtime_error("audit log " + file_.string() +
                                 " ends in an incomplete line (an interrupted append): the next audited action cuts it"
                                 " off and records that (audit.repaired); rotate after it");
    std::string prev_line = last_line(f.fd, st.st_size);
    auto j = nlohmann::json::parse(prev_line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned())
        throw std::runtime_error("audit log " + file_.string() + ": the last line is damaged; run `mugaika audit verify`");
    r.last_seq = j["seq"].get<std::uint64_t>();
    r.last_sha256 = sha256_hex(prev_line);
    fs::path head = sibling(file_, ".head");
    std::error_code ec;
    if (fs::exists(head, ec)) {
        // The head vouches for the tail; an archived file is only as good as its head.
        auto h = nlohmann::json::parse(read_file(head, 4096), nullptr, false);
        bool matches_last =
            h.is_object() && h.value("seq", std::uint64_t(0)) == r.last_seq && h.value("sha256", "") == r.last_sha256;
        // A head behind the log (its update failed on a full disk after the lines were durable) is what
        // `audit verify` accepts when it matches the line it names: check the whole file for that. Nothing
        // appends meanwhile: we hold the lock.
        if (!matches_last && !verify_audit_log(file_).ok())
            throw std::runtime_error("audit log " + file_.string() +
                                     ": the last line does not match the head file; run `mugaika audit verify`");
    }
    fs::path dir = file_.has_parent_path() ? file_.parent_path() : fs::path(".");
    std::string base = file_.filename().string();

    // A rotation interrupted between its link and its rename left a second name for the live file:
    // that name was never an archive (the new file never replaced FILE), so it goes.
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        if (name.size() <= base.size() + 1 || name.compare(0, base.size() + 1, base + ".") != 0) continue;
        struct stat o{};
        if (::lstat(e.path().c_str(), &o) == 0 && o.st_dev == st.st_dev && o.st_ino == st.st_ino) {
            ::unlink(e.path().c_str());
            ::unlink(sibling(e.path(), ".head").c_str());
        }
    }

    std::int64_t now = now_ms_ ? now_ms_()
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    // The archived name: FILE.<UTC time>, never one that exists.
    std::string stamp = utc(now, "%Y%m%dT%H%M%SZ");
    fs::path archived;
    for (int n = 1;; ++n) {
        archived = dir / (base + "." + stamp + (n > 1 ? "-" + std::to_string(n) : ""));
        if (::link(file_.c_str(), archived.c_str()) == 0) break;
        if (errno != EEXIST || n > 1000) fail("link " + archived.string());
    }
    if (fs::exists(head, ec) && ::link(head.c_str(), sibling(archived, ".head").c_str()) != 0) {
        int e = errno;
        ::unlink(archived.c_str());
        fail("link " + sibling(archived, ".head").string(), e);
    }

    nlohmann::ordered_json detail = ev.detail.is_object() ? ev.detail : nlohmann::ordered_json::object();
    detail["previous_file"] = archived.filename().string();
    detail["previous_seq"] = r.last_seq;
    detail["previous_sha256"] = r.last_sha256;
    nlohmann::ordered_json line;
    line["seq"] = 1;
    line["ts"] = iso_time(now);
    line["actor"] = ev.actor;
    line["action"] = ev.action.empty() ? "audit.rotate" : ev.action;
    line["item"] = ev.item;
    line["outcome"] = ev.outcome;
    line["detail"] = detail;
    line["prev"] = std::string(64, '0');   // a new chain; its link to the old one is in the detail
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

    fs::path tmp = dir / (base + ".rotating");
    try {
        Fd t;
        t.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (t.fd < 0) fail("create " + tmp.string());
        std::string out = text + "\n";
        if (::write(t.fd, out.data(), out.size()) != static_cast<ssize_t>(out.size()) || ::fsync(t.fd) != 0)
            fail("write " + tmp.string());
        // Run as root, the new file must still be the service's to append to.
        if (::geteuid() == 0) {
            [[maybe_unused]] int rc = ::fchown(t.fd, st.st_uid, st.st_gid);
        }
        if (::rename(tmp.c_str(), file_.c_str()) != 0) fail("rename " + tmp.string());
    } catch (...) {
        ::unlink(tmp.c_str());
        ::unlink(archived.c_str());
        ::unlink(sibling(archived, ".head").c_str());
        throw;
    }
    nlohmann::ordered_json new_head{{"seq", 1}, {"sha256", sha256_hex(text)}};
    replace_file(dir, base + ".head", new_head.dump() + "\n");
    keep_owner(head, file_);
    sync_directory(dir);
    r.archived = archived;
    if (syslog_) ::syslog(LOG_AUTHPRIV | LOG_INFO, "%s sha256=%s", text.c_str(), sha256_hex(text).c_str());
    return r;
}

std::vector<AuditChainFile> verify_audit_chain(const fs::path& file, std::size_t max_files) {
    std::vector<AuditChainFile> out;
    fs::path current = file;
    while (out.size() < max_files) {
        AuditChainFile f;
        f.file = current;
        f.result = verify_audit_log(current);
        auto first = nlohmann::json::parse(first_line_of(current), nullptr, false);
        out.push_back(std::move(f));
        if (!first.is_object() || first.value("action", "") != "audit.rotate" || !first.contains("detail") ||
            !first["detail"].is_object())
            break;
        const auto& d = first["detail"];
        std::string prev_name = d.value("previous_file", "");
        // Only a plain name beside this file: the record must not send the verifier elsewhere.
        if (prev_name.empty() || prev_name.find('/') != std::string::npos || prev_name == "." || prev_name == "..") {
            out.back().result.problems.push_back({1, "line 1 records no valid previous file"});
            break;
        }
        fs::path prev = (current.has_parent_path() ? current.parent_path() : fs::path(".")) / prev_name;
        std::error_code ec;
        if (!fs::is_regular_file(prev, ec)) {
            out.back().notes.push_back("the archived file before it, " + prev_name +
                                       ", is not here (moved elsewhere?): the chain before it is not checked");
            break;
        }
        std::string prev_last = last_line_of(prev);
        auto pl = nlohmann::json::parse(prev_last, nullptr, false);
        std::uint64_t prev_seq = pl.is_object() && pl.contains("seq") && pl["seq"].is_number_unsigned()
                                     ? pl["seq"].get<std::uint64_t>()
                                     : 0;
        if (sha256_hex(prev_last) != d.value("previous_sha256", "") || prev_seq != d.value("previous_seq", std::uint64_t(0)))
            out.back().result.problems.push_back(
                {1, "line 1 records the end of " + prev_name + " (line " + std::to_string(d.value("previous_seq", std::uint64_t(0))) +
                        "), but that file now ends differently: it was altered after the rotation"});
        current = prev;
    }
    return out;
}

}  // namespace mugaika::quarantine
