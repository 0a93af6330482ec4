#include "job_release.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "../spool/durable.hpp"
#include "maildir.hpp"
#include "smtp_relay.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/test_points.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

namespace mugaika {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view stage_prefix = ".mugaika-stage-";

struct Planned {
    std::string name;
    std::string bytes;
};

std::string mugaika_headers(const JobMeta& meta) { return mugaika_trace_headers(meta.id, meta.recipients); }

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

ordered_json read_json(const fs::path& p) { return ordered_json::parse(read_file(p, 64ull << 20)); }

// Held in the officer's quarantine once: the item id is derived from the job id, so a resumed job finds
// its earlier hold; held.json only saves asking the store again.
std::string hold_once(const fs::path& job_dir, QuarantineHold& quarantine, const JobMeta& meta, const std::string& sha,
                      const ordered_json& report, const std::string& delivered_to = "") {
    if (present(job_dir / "held.json")) return read_json(job_dir / "held.json").at("id").get<std::string>();
    std::string id = quarantine.hold(meta, job_dir / "original", sha, report, delivered_to);
    // Lazily: the store's commit is the durable record; a lost held.json only means asking it again.
    durable::replace_lazily(job_dir / "held.json", ordered_json{{"id", id}}.dump() + "\n");
    return id;
}

// Lists the files of `dir` that are the same inode as `temp` under `name` or one of its numbered
// candidates (the published link of a staged temp).
fs::path find_link(const fs::path& dir, const std::string& name, const struct stat& temp) {
    for (int n = 1; n < 10000; ++n) {
        fs::path p = dir / numbered_name(name, n);
        struct stat st{};
        if (::lstat(p.c_str(), &st) != 0) break;
        if (st.st_dev == temp.st_dev && st.st_ino == temp.st_ino) return p;
    }
    return {};
}

std::string stage_name(const std::string& job_id, std::size_t i) { return std::string(stage_prefix) + job_id + "-" + std::to_string(i); }

// Publishing into a drop folder, exactly once, with two fsyncs of the folder whatever the number of
// outputs (docs/service.md, "What is made durable, and why"):
//   1. each output is written under its hidden stage name, its bytes fsync'd; then one fsync of the
//      folder: every temp is there, whole, after a power failure;
//   2. each temp gets its real name as a second hard link (linkat never replaces: a taken name becomes
//      "name (2).ext"); then one fsync of the folder: the release is durable, and the audit line that
//      follows records it;
//   3. the temps are removed only once the job is finished (retire_staging), after its verdict line.
// A temp with two links was published; one with a single link was not (and is whole, from step 1);
// no temp while the job is unfinished means nothing was staged yet. So a resumed job never publishes
// twice and never loses an output, and no manifest has to be made durable in the job folder.
std::vector<fs::path> publish_share(const fs::path& job_dir, const std::string& job_id, const fs::path& dest,
                                    const std::vector<Planned>& plan) {
    if (present(job_dir / "published.json")) {
        std::vector<fs::path> out;
        ordered_json done = read_json(job_dir / "published.json");   // a named object: the loop below refers into it
        for (const auto& p : done.at("paths")) out.emplace_back(p.get<std::string>());
        return out;
    }
    fs::create_directories(dest);
    std::vector<struct stat> temps(plan.size());
    bool staged = true;
    for (std::size_t i = 0; i < plan.size() && staged; ++i)
        staged = ::lstat((dest / stage_name(job_id, i)).c_str(), &temps[i]) == 0 && S_ISREG(temps[i].st_mode) &&
                 (temps[i].st_nlink >= 2 || sha256_file(dest / stage_name(job_id, i)) == sha256_hex(plan[i].bytes));
    if (!staged) {
        // Not (wholly) staged before, hence nothing published: whatever an interrupted staging left is
        // dropped and every output staged afresh. (A temp of a published output always has its second
        // link and the plan's bytes: it never lands here unless the plan itself changed, which happens
        // only when the decided outcome was lost and recomputed before anything was published.)
        for (std::size_t i = 0; i < plan.size(); ++i) {
            struct stat st{};
            if (::lstat((dest / stage_name(job_id, i)).c_str(), &st) == 0 && st.st_nlink >= 2)
                throw std::runtime_error("staged output " + stage_name(job_id, i) + " was published but does not match the decided outcome");
        }
        std::error_code ec;
        for (fs::directory_iterator it(dest, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().filename().string().starts_with(std::string(stage_prefix) + job_id + "-")) fs::remove(it->path(), ec);
        try {
            for (std::size_t i = 0; i < plan.size(); ++i) durable::write(dest / stage_name(job_id, i), plan[i].bytes);
            sync_directory(dest);
        } catch (...) {
            for (std::size_t i = 0; i < plan.size(); ++i) fs::remove(dest / stage_name(job_id, i), ec);
            throw;
        }
        for (std::size_t i = 0; i < plan.size(); ++i)
            if (::lstat((dest / stage_name(job_id, i)).c_str(), &temps[i]) != 0)
                throw std::system_error(errno, std::generic_category(), "stat " + stage_name(job_id, i));
        test_points::crash_point("release.share.staged");
    }
    std::vector<fs::path> published;
    ordered_json paths = ordered_json::array();
    for (std::size_t i = 0; i < plan.size(); ++i) {
        fs::path temp = dest / stage_name(job_id, i);
        fs::path final_path;
        if (temps[i].st_nlink >= 2) {
            final_path = find_link(dest, plan[i].name, temps[i]);
            // Published, and then renamed or removed by a person on the LGWAN side: never again.
            if (final_path.empty()) final_path = dest / plan[i].name;
        } else {
            for (int n = 1; n < 10000 && final_path.empty(); ++n)
                if (durable::link_noreplace(temp, dest / numbered_name(plan[i].name, n))) final_path = dest / numbered_name(plan[i].name, n);
            if (final_path.empty()) throw std::system_error(EEXIST, std::generic_category(), "no free name for " + plan[i].name);
            test_points::crash_point("release.share.published");
        }
        published.push_back(final_path);
        paths.push_back(final_path.string());
    }
    sync_directory(dest);   // the release itself is durable before its verdict line is written
    // Lazily: should it be lost, the temps' second links say the same.
    durable::replace_lazily(job_dir / "published.json", ordered_json{{"paths", paths}}.dump(2) + "\n");
    return published;
}

std::vector<fs::path> publish_mail(const JobMeta& meta, const fs::path& maildir, const std::vector<Planned>& plan) {
    std::vector<fs::path> out;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        // Deterministic Maildir name: a resumed job finds its own earlier delivery.
        std::string name = std::to_string(meta.received_ms / 1000) + ".M" + meta.id + "_" + std::to_string(i) + ".mugaika";
        out.push_back(deliver_to_maildir(maildir, name, mugaika_headers(meta) + plan[i].bytes));
    }
    return out;
}

// Sends each output over SMTP once. Returns the next hop's permanent refusal, if any; throws on a
// temporary failure (the job is retried later).
std::optional<std::string> relay_mail(const fs::path& job_dir, const JobMeta& meta, const std::vector<Planned>& plan,
                                      const ReleaseTarget& to, std::vector<fs::path>& sent) {
    if (present(job_dir / "relay-rejected")) return read_file(job_dir / "relay-rejected", 1 << 20);
    for (std::size_t i = 0; i < plan.size(); ++i) {
        std::string marker = "sent-" + std::to_string(i);
        if (!present(job_dir / marker)) {
            // The marker is written the moment the next hop has taken the mail, before QUIT.
            SmtpResult r = smtp_send(to.smtp_next_hop, to.smtp_helo, meta.sender, meta.recipients,
                                     mugaika_headers(meta) + plan[i].bytes, to.smtp_limits, [&](const SmtpResult& ok) {
                                         test_points::crash_point("release.smtp.accepted");
                                         // Lazily: a kill -9 keeps it (the page cache); a power failure
                                         // that loses it sends the mail once more, with the same
                                         // X-Mugaika-ID, as a crash before this point does anyway.
                                         durable::replace_lazily(job_dir / marker, ok.reply + "\n");
                                     });
            if (r.kind == SmtpResult::temporary)
                throw std::runtime_error("next hop " + to.smtp_next_hop + " deferred the mail: " + r.reply);
            if (r.kind == SmtpResult::permanent) {
                durable::replace_lazily(job_dir / "relay-rejected", r.reply);   // lost: asked again, refused again
                return r.reply;
            }
        }
        sent.push_back("smtp://" + to.smtp_next_hop + "/" + meta.id + "/" + std::to_string(i));
    }
    return std::nullopt;
}

// Where the released part of a partly held job goes, in words for the officer's page. The hold comes
// first (nothing is lost if the release then fails); the job is finished only once the release is done.
std::string destination_ja(const JobMeta& meta, const ReleaseTarget& to) {
    if (meta.source == Source::share) return meta.section + " の受け取りフォルダ (" + (to.out_root / meta.section).string() + ")";
    std::string rcpt;
    for (const auto& r : meta.recipients) rcpt += (rcpt.empty() ? "" : ", ") + r;
    return "宛先 " + rcpt + (to.smtp_next_hop.empty() ? " (LGWAN側のメールボックス)" : " (LGWAN側メールサーバ " + to.smtp_next_hop + " 経由)");
}

std::string output_name(const Output& o, const JobMeta& meta) {
    std::string name = o.name.empty() ? meta.name : o.name;
    return check_name(name).safe_name;
}

}  // namespace

void retire_staging(const fs::path& dest, const std::string& job_id) {
    // The temps are numbered from 0 without gaps. A temp that cannot be removed stays (its published
    // link is whole and named); it is only a hidden second name, and the loop must end.
    for (std::size_t i = 0; ::unlink((dest / stage_name(job_id, i)).c_str()) == 0; ++i) {
    }
}

bool is_staging_name(std::string_view name) { return name.starts_with(stage_prefix) || name.starts_with(".mugaika-tmp-"); }

std::string note_ja(const Outcome& o, const JobMeta& meta, const std::optional<std::string>& quarantine_id) {
    std::string s = "無害化ゲートウェイからのお知らせ\n\n";
    s += "ファイル名: " + meta.display_name() + "\n";
    s += "受付日時: " + iso_time(meta.received_ms) + " (UTC)\n";
    s += "受付番号: " + meta.id + "\n\n";
    s += summary_ja(o) + "\n";
    if (o.quarantined()) {
        s += "\nこのファイルは安全に無害化できなかったため、隔離しました。必要な場合は情報セキュリティ担当者に"
             "受付番号をお知らせください。\n";
        if (quarantine_id) s += "隔離番号: " + *quarantine_id + "\n";
    }
    return s;
}

JobRelease release_job(const fs::path& job_dir, const JobMeta& meta, Outcome outcome, const ReleaseTarget& to) {
    if (meta.source == Source::mail && !outcome.quarantined()) {
        for (const auto& out : outcome.outputs)
            if (out.type != "eml") {
                // A mail must leave as a mail: a message the engine saw as something else is held.
                outcome.verdict = Verdict::quarantined;
                outcome.reason = std::string(reason::blocked_type);
                outcome.reason_detail = "mail item produced a '" + out.type + "' output, not a message";
                outcome.outputs.clear();
                break;
            }
    }
    JobRelease r;
    r.verdict = outcome.verdict;
    r.report = to_report_json(outcome);
    r.report["job"] = meta.to_json();
    r.report["job_id"] = meta.id;

    std::string sha = outcome.input_sha256.empty() ? sha256_file(job_dir / "original") : outcome.input_sha256;
    if (outcome.keeps_original())
        r.quarantine_id = hold_once(job_dir, *to.quarantine, meta, sha, r.report,
                                    outcome.quarantined() || outcome.outputs.empty() ? "" : destination_ja(meta, to));

    std::vector<Planned> plan;
    if (!outcome.quarantined())
        for (const auto& out : outcome.outputs) plan.push_back({output_name(out, meta), out.bytes});
    if (meta.source == Source::share) {
        bool note = to.notes == NoteMode::all || (to.notes == NoteMode::quarantined && outcome.keeps_original());
        if (note) plan.push_back({check_name(meta.name).safe_name + ".無害化のお知らせ.txt", note_ja(outcome, meta, r.quarantine_id)});
        if (!plan.empty()) r.released = publish_share(job_dir, meta.id, to.out_root / meta.section, plan);
    } else if (!plan.empty() && to.smtp_next_hop.empty()) {
        r.released = publish_mail(meta, to.maildir, plan);
    } else if (!plan.empty()) {
        if (auto refused = relay_mail(job_dir, meta, plan, to, r.released)) {
            // Refused for good by the LGWAN side: held here, never sent back out.
            outcome.verdict = Verdict::quarantined;
            outcome.reason = "relay.rejected";
            outcome.reason_detail = "the next hop refused the mail: " + *refused;
            outcome.outputs.clear();
            r.verdict = outcome.verdict;
            r.report = to_report_json(outcome);
            r.report["job"] = meta.to_json();
            r.report["job_id"] = meta.id;
            r.quarantine_id = hold_once(job_dir, *to.quarantine, meta, sha, r.report);
            r.released.clear();
        }
    }

    ordered_json paths = ordered_json::array();
    for (const auto& p : r.released) paths.push_back(p.string());
    r.report["released_to"] = paths;
    r.report["quarantine_id"] = r.quarantine_id ? ordered_json(*r.quarantine_id) : ordered_json(nullptr);
    if (!to.reports.empty()) {
        fs::create_directories(to.reports);
        // Without fsync (docs/service.md): the durable record of the verdict is the audit line written
        // next, and a held item's report is in the quarantine store; this copy is for people.
        durable::replace_lazily(to.reports / (meta.id + ".json"), r.report.dump(2) + "\n");
    }
    r.outcome = std::move(outcome);
    return r;
}

}  // namespace mugaika
