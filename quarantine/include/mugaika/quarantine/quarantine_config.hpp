// The quarantine's tables of the configuration file: [quarantine], [officer_ui] and [audit].
// Other tables (the gateway's) are left to their own parser. Relative paths (and the defaults below)
// are taken from the configuration file's folder, like the gateway's [paths]: the same file means the
// same key, database and store from any working directory.
//
//   [quarantine]
//   store_dir = "var/quarantine-store"      encrypted objects (originals and reports)
//   db = "sqlite:var/quarantine.db"         or "postgresql:host=... port=... dbname=... user=..."
//   key_file = "var/keys/quarantine.key"    AES-256 key, outside store_dir; made 0600 only by --init
//   retention_days = 90                     after this, originals are shredded (disposal recorded)
//   purge_interval_minutes = 60             how often `mugaika serve` applies it (and once at start)
//   four_eyes = true                        the requester of a release cannot approve it
//   release_kinds = ["resanitize", "pixels", "ppap", "original"]   which release kinds the policy allows
//   release_dir = "var/released"            drop folder of the built-in sink (when the gateway's is not used)
//   max_failed_logins = 5                   consecutive failures before an account locks
//   lockout_minutes = 15
//   enrolment_hours = 8                     how long an account's one-time enrolment code is valid
//
//   [officer_ui]
//   listen = "127.0.0.1:8443"               host:port ([::1]:8443 for IPv6)
//   tls_cert = "/etc/mugaika/officer.crt"   PEM; both empty = plain HTTP, allowed on loopback only
//   tls_key = "/etc/mugaika/officer.key"
//   session_idle_minutes = 15
//   session_max_hours = 10                  a session ends after this long, active or not
//   max_form_bytes = 65536                  larger request bodies are refused (413)
//
//   [audit]
//   file = "var/audit/audit.log"
//   syslog = true
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace mugaika::quarantine {

struct QuarantineConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;   // "file:line: what"
};

struct QuarantineConfig {
    std::string source = "(built-in defaults)";
    std::filesystem::path store_dir = "var/quarantine-store";
    std::string db = "sqlite:var/quarantine.db";
    std::filesystem::path key_file = "var/keys/quarantine.key";
    int retention_days = 90;
    int purge_interval_minutes = 60;   // how often `mugaika serve` runs the retention rule (and once at start)
    bool four_eyes = true;
    std::vector<std::string> release_kinds{"resanitize", "pixels", "ppap", "original"};
    std::filesystem::path release_dir = "var/released";
    int max_failed_logins = 5;
    int lockout_minutes = 15;
    int enrolment_hours = 8;

    std::string ui_host = "127.0.0.1";
    std::uint16_t ui_port = 8443;
    std::filesystem::path tls_cert, tls_key;
    int session_idle_minutes = 15;
    int session_max_hours = 10;
    std::size_t max_form_bytes = 65536;

    std::filesystem::path audit_file = "var/audit/audit.log";
    bool audit_syslog = true;
};

QuarantineConfig load_quarantine_config(const std::filesystem::path& file);
// `base`: the folder relative paths are taken from (empty: left relative).
QuarantineConfig parse_quarantine_config(std::string_view text, const std::string& file,
                                         const std::filesystem::path& base = {});
// Every relative path of `q` (the sqlite: database's too) made absolute under `base`.
void anchor_paths(QuarantineConfig& q, const std::filesystem::path& base);

// True for 127.0.0.0/8, ::1 and "localhost": where plain HTTP is allowed.
bool is_loopback_host(const std::string& host);

}  // namespace mugaika::quarantine
