// The audit log: one JSON object per line, each carrying the SHA-256 of the previous line's exact bytes
// (a hash chain) and a sequence number, appended under an exclusive lock and fsync'd before the call
// returns, and mirrored to syslog for the site's SIEM.
//
// Line format (keys in this order):
//   {"seq":12,"ts":"2026-11-22T04:05:06.123Z","actor":"tanaka","action":"release.approve",
//    "item":"20261122T031500Z-0123456789ab-a1b2c3","outcome":"ok","detail":{...},"prev":"<64 hex>"}
// The first line's prev is 64 zeros. A side file FILE.head holds {"seq":N,"sha256":"<hash of line N>"}
// so that a removed or edited *last* line is detected too (the chain alone cannot see the tail).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mugaika::quarantine {

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

    // Appends one line. Throws std::system_error when the line could not be made durable: callers treat
    // that as a failure of the action itself (an action that cannot be audited does not happen).
    // Returns the sequence number written.
    std::uint64_t append(const AuditEvent& event);

    const std::filesystem::path& file() const { return file_; }

    // For tests: a fixed clock (milliseconds since the epoch).
    void set_clock(std::function<std::int64_t()> now_ms) { now_ms_ = std::move(now_ms); }

private:
    std::filesystem::path file_;
    bool syslog_;
    std::function<std::int64_t()> now_ms_;
    std::mutex mutex_;   // threads of one process; other processes are kept out by flock
};

struct AuditProblem {
    std::size_t line;         // 1-based line number in the file (0: the head file)
    std::string message;      // English, names what is wrong
    std::string message_ja;   // the same for the auditor's page
};

struct AuditVerifyResult {
    std::size_t lines = 0;
    bool head_checked = false;   // false when FILE.head is missing (then a problem: the tail is unchecked)
    std::vector<AuditProblem> problems;
    bool ok() const { return problems.empty(); }
};

// Reads the whole log and checks every line: valid JSON, seq = line number, prev = SHA-256 of the line
// before, and the head file against the last line. Reports every problem with its line number. A log
// with lines but no head file is a problem too: removing the head is how a cut-off tail would hide.
AuditVerifyResult verify_audit_log(const std::filesystem::path& file);

// Reads the last `max_lines` entries (newest last) for the auditor's view.
std::vector<nlohmann::json> read_audit_tail(const std::filesystem::path& file, std::size_t max_lines);

}  // namespace mugaika::quarantine
