// The audit log: one JSON object per line, each carrying the SHA-256 of the previous line's exact bytes
// (a hash chain) and a sequence number, appended under an exclusive lock and fsync'd before the call
// returns, and mirrored to syslog for the site's SIEM.
//
// Line format (keys in this order):
//   {"seq":12,"ts":"2026-11-22T04:05:06.123Z","actor":"tanaka","action":"release.approve",
//    "item":"20261122T031500Z-0123456789ab-a1b2c3","outcome":"ok","detail":{...},"prev":"<64 hex>"}
// The first line's prev is 64 zeros. A side file FILE.head holds {"seq":N,"sha256":"<hash of line N>"}
// so that a removed or edited *last* line is detected too (the chain alone cannot see the tail).
//
// A failed append (a full disk, an I/O error) leaves the file exactly as it was: what was written of
// the line is cut off again. A torn last line found at the next append (a crash or power failure in
// the middle of a write: never acknowledged) is cut off too, and the cut recorded as an
// "audit.repaired" line holding the bytes removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

namespace mugaika::quarantine {

// What a rotation did (AuditLog::rotate).
struct AuditRotation {
    std::filesystem::path archived;   // FILE.<UTC time>, with its head FILE.<UTC time>.head; empty: nothing to rotate
    std::uint64_t last_seq = 0;       // the archived file's last line: its sequence number and SHA-256
    std::string last_sha256;
};

struct AuditEvent {
    std::string actor;     // an account name, or "gateway", "retention", "local-admin" (bootstrap)
    std::string action;    // login, login.failed, item.hold, item.view, release.request, ... (docs/quarantine.md)
    std::string item;      // the item id, empty when none
    std::string outcome = "ok";   // ok | denied | error
    nlohmann::ordered_json detail = nlohmann::ordered_json::object();
};

class AuditLog {
public:
    // `syslog_mirror`: also send each line (with its hash) to syslog (LOG_AUTHPRIV, ident "mugaika-audit").
    explicit AuditLog(std::filesystem::path file, bool syslog_mirror = true);

    // Appends one line. Throws std::system_error when the line could not be made durable (the file is
    // then as it was before the call): callers treat that as a failure of the action itself (an action
    // that cannot be audited does not happen). Returns the sequence number written. Once the line is
    // durable the call succeeds, even if the head file could not be updated (problem() says so).
    std::uint64_t append(const AuditEvent& event);

    // Empty when the last append went through completely (line and head); else what went wrong, for
    // the service's health check. A failed append sets it, the next complete one clears it.
    std::string problem() const;

    // Closes the current file and starts a new chain (audit_rotate.cpp): under the log's lock, the file
    // (and its head) keep their contents under the name FILE.<UTC time>, and a new FILE begins with one
    // line, `event` (action audit.rotate), whose detail records the archived file's name, last sequence
    // number and the SHA-256 of its last line: `mugaika audit verify` follows these links back. The
    // archived file is never written again. Refuses (std::runtime_error) when the file's last line is torn
    // or the head matches no line of an intact chain: a rotation must not launder a damaged tail. A head
    // behind the log (a failed head update, which verify accepts) does not stop it. An empty log stays.
    AuditRotation rotate(const AuditEvent& event);

    const std::filesystem::path& file() const { return file_; }

    // For tests: a fixed clock (milliseconds since the epoch).
    void set_clock(std::function<std::int64_t()> now_ms) { now_ms_ = std::move(now_ms); }

private:
    std::string write_line(int fd, off_t good_size, const std::string& prev_line, const AuditEvent& ev, std::uint64_t& seq);
    void set_problem(std::string p);

    std::filesystem::path file_;
    bool syslog_;
    std::function<std::int64_t()> now_ms_;
    std::mutex mutex_;   // threads of one process; other processes are kept out by flock
    mutable std::mutex problem_mutex_;
    std::string problem_;
};

struct AuditProblem {
    std::size_t line;         // 1-based line number in the file (0: the head file)
    std::string message;      // English, names what is wrong
    std::string message_ja;   // the same for the auditor's page
};

struct AuditVerifyResult {
    std::size_t lines = 0;
    bool head_checked = false;   // false when FILE.head is missing (then a problem: the tail is unchecked)
    // Lines after the one the head names: the head could not be updated (a full disk) after they were
    // made durable. Not a problem by itself (nothing was removed), but those lines are not vouched for.
    std::size_t head_behind = 0;
    std::vector<AuditProblem> problems;
    bool ok() const { return problems.empty(); }
};

// Reads the whole log and checks every line: valid JSON, seq = line number, prev = SHA-256 of the line
// before, and the head file against the last line. Reports every problem with its line number. A log
// with lines but no head file is a problem too: removing the head is how a cut-off tail would hide.
AuditVerifyResult verify_audit_log(const std::filesystem::path& file);

// The records in the last `max_bytes` of the log (newest last; a line cut by the limit is skipped): for
// finding out, after a crash, whether an action was recorded just before it.
std::vector<nlohmann::json> recent_audit_records(const std::filesystem::path& file, std::size_t max_bytes);

// One file of a rotated chain, newest first (verify_audit_chain).
struct AuditChainFile {
    std::filesystem::path file;
    AuditVerifyResult result;
    std::vector<std::string> notes;   // what could not be checked (an archived file moved elsewhere)
};

// Verifies FILE and, through the audit.rotate line a rotated file starts with, each archived file
// before it that is still beside it: each must verify, and end with the sequence number and hash that
// the next file's first line recorded. An archived file that is no longer there ends the walk with a note.
std::vector<AuditChainFile> verify_audit_chain(const std::filesystem::path& file, std::size_t max_files = 1000);

// Opens the audit log for appending and takes its exclusive lock (flock), re-opening when a rotation
// replaced the file while this process waited for the lock: a line is never appended to an archived file.
// Returns the descriptor; throws std::system_error.
int open_locked_audit_file(const std::filesystem::path& file);

// Reads the last `max_lines` entries (newest last) for the auditor's view.
std::vector<nlohmann::json> read_audit_tail(const std::filesystem::path& file, std::size_t max_lines);

}  // namespace mugaika::quarantine
