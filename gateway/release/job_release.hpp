// Release of one spooled job, idempotent by job id. The job folder (spool active/<id>) keeps markers
// so that a crash at any point, followed by a resume, releases and holds everything exactly once:
//
//   held.json                    quarantine: the item id is derived from the job id (QuarantineHold), so
//                                a resumed job finds its earlier hold; held.json records it.
//   .mugaika-stage-<id>-<n>      share: every output is first written and fsync'd in the drop folder
//                                under a hidden temp name derived from the job id, then published as a
//                                second hard link under its real name (never overwriting): a temp with
//                                two links was published, one with one link is published now. The temps
//                                go once the job's verdict line is durable (retire_staging).
//   published.json               share: where the outputs went (lazily; the links say the same).
//   Maildir                      mail: tmp/<deterministic name> -> new/<name>; new/<name> existing means done.
//   sent-<n>, relay-rejected     mail over SMTP: written as soon as the next hop answered 250 to the
//                                message, before QUIT (a crash in between sends the mail again;
//                                X-Mugaika-ID lets the LGWAN side drop the duplicate), or once it refused
//                                it for good (the mail is then held).
//
// No partial file is ever visible under a non-hidden name in a drop folder.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../config/gateway_config.hpp"
#include "../spool/spool.hpp"
#include "quarantine_hold.hpp"
#include "smtp_relay.hpp"
#include "mugaika/outcome.hpp"

namespace mugaika {

struct ReleaseTarget {
    std::filesystem::path out_root;     // share items go to out_root/<section>/
    std::filesystem::path maildir;      // mail items go to maildir/new/
    std::shared_ptr<QuarantineHold> quarantine;   // the officer's encrypted quarantine
    std::filesystem::path reports;      // empty: none
    NoteMode notes = NoteMode::none;
    std::string smtp_next_hop;          // non-empty: mail is re-injected over SMTP instead of the Maildir
    std::string smtp_helo = "mugaika";
    SmtpLimits smtp_limits{};
};

struct JobRelease {
    Verdict verdict = Verdict::quarantined;   // final (a mail that is not a mail any more is held)
    Outcome outcome;                          // final too: its reason is the one the audit log records
    std::vector<std::filesystem::path> released;
    std::optional<std::string> quarantine_id;
    nlohmann::ordered_json report;
};

// Throws on I/O trouble (full disk, missing permissions): nothing is lost then, the job stays in
// active/ and a later call continues where this one stopped.
JobRelease release_job(const std::filesystem::path& job_dir, const JobMeta& meta, Outcome outcome,
                       const ReleaseTarget& to);

// The Japanese note that may accompany a share item in its drop folder.
std::string note_ja(const Outcome& outcome, const JobMeta& meta, const std::optional<std::string>& quarantine_id);

// Removes the hidden stage temps of a share job (their published links stay). Only once the job's
// verdict line is durable: until then they are what tells a resumed job what was published.
void retire_staging(const std::filesystem::path& dest, const std::string& job_id);

// Hidden names (temps of mugaika's own writers) that a crash may leave in a drop folder.
bool is_staging_name(std::string_view name);

}  // namespace mugaika
