// The gateway's configuration: folders, worker limits, the service's tables and the engine's policy,
// from one TOML file. Every error names the file and line; a bad configuration never starts (or
// replaces) a running one.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "../scan/malware_scan.hpp"
#include "../worker/isolated.hpp"
#include "mugaika/quarantine/quarantine_config.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"

namespace mugaika {

// [share]: the watched share (method ウ). inbound/<section>/ maps to <paths.out>/<section>/.
struct ShareConfig {
    bool enabled = true;
    std::filesystem::path inbound = "var/in";
    std::vector<std::string> sections{"総務課", "財政課"};
    std::chrono::milliseconds settle{2000};      // quiet time after the last write before a file is taken
    std::chrono::seconds rescan{30};             // full rescan, for events inotify does not see (SMB/NFS)
};

// [lmtp]: the after-queue content filter Postfix hands mail to (method ア).
struct LmtpConfig {
    bool enabled = true;
    std::string listen = "127.0.0.1:10025";      // host:port on loopback, or unix:/path
    std::vector<std::string> clients{"127.0.0.1", "::1"};
    std::uint64_t max_message_bytes = 50ull << 20;
    std::uint32_t max_recipients = 100;
    std::uint32_t max_line_bytes = 4096;         // one command or data line, CRLF included
    std::uint32_t max_connections = 16;
    std::uint32_t max_errors = 10;               // protocol errors before the session is cut off
    // A deadline per request, not per read: a command line (or a reply) must get through within it.
    std::chrono::seconds timeout{300};
    // DATA: the deadline moves later by the bytes received divided by this rate (bytes per second),
    // never beyond `timeout` from now (Postfix's smtpd_min_data_rate): a trickling client is cut off.
    std::uint32_t min_data_rate = 500;
    // At shutdown, sessions get this long to send the replies they owe; then they are closed hard.
    std::chrono::seconds shutdown{10};
    // A message Postfix sends again after losing our 250 (same sender, same bytes) is not queued twice
    // within this window (resend_filter.hpp); 0 turns it off. At most [spool] keep_done_hours.
    std::chrono::hours resend_window{120};
};

enum class NoteMode { none, quarantined, all };

// [release]
struct ReleaseConfig {
    NoteMode notes = NoteMode::none;             // a short Japanese note beside the files of a share item
    std::filesystem::path maildir = "var/mail";  // LGWAN-side Maildir for released mail (tmp/ -> new/)
    std::string smtp_next_hop;                   // host:port: re-inject released mail over SMTP instead
    std::string smtp_helo = "mugaika";
    // A deadline per SMTP command and reply (the message itself: this plus its size at smtp_min_data_rate).
    std::chrono::seconds smtp_timeout{120};
    std::uint32_t smtp_min_data_rate = 1000;     // bytes per second the next hop must at least take
    // Deliveries over SMTP run in their own threads, this many at once: a slow next hop never holds
    // the disarm workers.
    std::uint32_t smtp_connections = 2;
};

// [spool]
struct SpoolConfig {
    std::filesystem::path dir = "var/spool";
    std::uint32_t max_queue = 10000;             // incoming + active; above it intake answers "later"
    std::uint64_t min_free_bytes = 64ull << 20;  // below it intake answers "later" (452)
    std::chrono::seconds keep_done{7 * 24 * 3600};
};

// [http]
struct HttpConfig {
    bool enabled = true;
    std::string listen = "127.0.0.1:9925";
};

// [converter]: the warm LibreOffice converters (docs/legacy.md), each in the sandbox's "office" profile.
struct ConverterConfig {
    std::uint32_t count = 2;               // warm converters; 0: none (legacy formats held as "unsupported")
    std::uint32_t max_documents = 50;      // per converter, then it is replaced with its profile
    std::chrono::seconds per_document{120};
    std::chrono::seconds startup{180};
    std::uint64_t memory_bytes = 4ull << 30;
    std::uint64_t cpu_seconds = 900;       // over a converter's whole life
    bool prestart = true;                  // start them with the service; false: at the first legacy document
};

struct GatewayConfig {
    std::string source = "(built-in defaults)";
    std::filesystem::path out_dir = "var/out";
    std::filesystem::path quarantine_dir = "var/quarantine";
    // [quarantine], [officer_ui] and [audit]: parsed and validated by the quarantine's own parser so
    // that the service, the CLI and the officer UI read one file the same way.
    quarantine::QuarantineConfig review;
    std::filesystem::path reports_dir;   // empty: no per-item report files
    std::uint32_t keep_reports_days = 90; // [paths] keep_reports_days: the service removes older reports; 0 keeps all
    WorkerLimits worker;
    std::uint32_t workers = 0;           // [worker] count; 0: one per core
    std::uint32_t worker_retries = 1;    // a crash or timeout is retried this often, then quarantined
    bool syslog = true;                  // [log] syslog
    ShareConfig share;
    LmtpConfig lmtp;
    ReleaseConfig release;
    SpoolConfig spool;
    HttpConfig http;
    ScanConfig scan;                     // [scan]: clamd for the original and every output
    ConverterConfig converter;           // [converter]
    Policy policy = Policy::defaults();

    std::uint32_t worker_count() const;  // workers, or the number of cores
};

// Throws ConfigError (file:line: what) on anything it does not understand: every address is read as
// its listener or client will read it (mugaika/endpoint.hpp), every path checked. Relative paths
// (and the built-in defaults, "var/...") are taken from the file's folder: `load_config` anchors them
// there, so the same file means the same folders from any working directory.
GatewayConfig load_config(const std::filesystem::path& file, const Registry& registry);
// `base`: the folder relative paths are taken from (empty: left relative, i.e. the working directory).
GatewayConfig parse_config_text(std::string_view text, const std::string& file, const Registry& registry,
                                const std::filesystem::path& base = {});
// Every relative path of `c` made absolute under `base`.
void anchor_paths(GatewayConfig& c, const std::filesystem::path& base);

// A section name is one plain folder name: no separators, no dot names, no control characters.
bool valid_section_name(std::string_view name);

}  // namespace mugaika
