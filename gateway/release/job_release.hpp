// Release of one spooled job, idempotent by job id. The job folder (spool active/<id>) keeps markers
// so that a crash at any point, followed by a resume, releases and holds everything exactly once:
//
//   held.json                    quarantine: the item id is derived from the job id (QuarantineHold), so
//                                a resumed job finds its earlier hold; held.json records it.
//   staged.json -> published.json  share: every output is first written and fsync'd in the drop folder
//                                under a hidden temp name derived from the job id; staged.json lists them.
//                                Publishing is one rename per file (never overwriting): a temp that is
//                                gone was published already, one that is there is published now.
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

// Hidden names (temps of mugaika's own writers) that a crash may leave in a drop folder.
bool is_staging_name(std::string_view name);

}  // namespace mugaika
