// The fsyncs each path makes, counted through the one function every fsync of the service goes through
// (durable_sync, also behind /metrics' mugaika_fsyncs_total), held to the budget docs/service.md states
// ("What is made durable, and why"). Each step runs here in the order the scheduler runs it: release,
// the verdict line (the job's commit record), the `audited` marker, retiring the stage temps, done/.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/report.hpp"
#include "config/gateway_config.hpp"
#include "release/gateway_sink.hpp"
#include "release/job_release.hpp"
#include "spool/durable.hpp"
#include "spool/spool.hpp"
#include "temp_quarantine.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

struct Path {
    TempDir t;
    Spool spool{t / "spool"};
    ReleaseTarget to;
    std::string id = Spool::new_id();
    JobMeta meta;

    explicit Path(Source source) {
        to = {t / "out", t / "mail", std::make_shared<QuarantineHold>(temp_quarantine_config(t.path)), t / "reports",
              NoteMode::none};
        meta.id = id;
        meta.source = source;
        meta.section = source == Source::share ? "総務課" : "";
        meta.recipients = {"a@lg.jp"};
        meta.name = source == Source::share ? "in.txt" : "message.eml";
        meta.received_ms = now_ms();
        // Open the store and the audit log once, as the running service has them open already.
        to.quarantine->audit();
    }
    std::uint64_t intake() {
        auto before = sync_counts().total();
        spool.enqueue_bytes(meta, "original bytes");
        return sync_counts().total() - before;
    }
    Outcome outcome(Verdict v, std::vector<std::pair<std::string, std::string>> outputs, const std::string& type) const {
        Outcome o;
        o.input_name = meta.name;
        o.input_size = 14;
        o.input_sha256 = sha256_hex("original bytes");
        o.detected_type = type;
        o.verdict = v;
        if (v == Verdict::quarantined) o.reason = "unsupported";
        for (auto& [n, b] : outputs) o.outputs.push_back({n, type, b});
        return o;
    }
    // From the decided outcome to the tombstone in done/, as Scheduler::release_and_finish does it.
    std::uint64_t release(const Outcome& o) {
        REQUIRE(spool.claim(id));
        auto before = sync_counts().total();
        JobRelease r = release_job(spool.active(id), meta, o, to);
        quarantine::AuditEvent e;
        e.actor = "gateway";
        e.action = "item.verdict";
        e.detail = {{"job", id}, {"verdict", std::string(to_string(r.verdict))}};
        to.quarantine->audit().append(e);
        durable::replace_lazily(spool.active(id) / "audited", "");
        if (meta.source == Source::share) retire_staging(to.out_root / meta.section, id);
        spool.finish(id);
        return sync_counts().total() - before;
    }
};

}  // namespace

TEST_CASE("fsync budget: a released share item costs at most 4 fsyncs from its outcome to done/") {
    Path p(Source::share);
    auto in = p.intake();
    auto out = p.release(p.outcome(Verdict::disarmed, {{"in.txt", "clean"}}, "text"));
    MESSAGE("share released: intake " << in << ", release " << out);
    CHECK(in == 4);    // original, meta.json, the job folder, incoming/
    CHECK(out <= 4);   // the output's bytes, the drop folder twice, the verdict line
    CHECK(out == 4);   // (and not fewer: each of them is needed, docs/service.md)
    CHECK(read_whole(p.to.out_root / "総務課" / "in.txt") == "clean");
    CHECK(files_in(p.to.out_root / "総務課").size() == 1);   // the stage temp is gone
    CHECK(fs::exists(p.spool.dir(Spool::Queue::done, p.id) / "meta.json"));
}

TEST_CASE("fsync budget: a share item with several outputs adds one fsync per output, not per rename") {
    Path p(Source::share);
    p.intake();
    auto out = p.release(p.outcome(Verdict::disarmed, {{"a.txt", "A"}, {"b.txt", "B"}, {"c.txt", "C"}}, "text"));
    CHECK(out == 3 + 3);
    CHECK(files_in(p.to.out_root / "総務課").size() == 3);
}

TEST_CASE("fsync budget: a mail released into the Maildir costs 3 fsyncs") {
    Path p(Source::mail);
    p.intake();
    auto out = p.release(p.outcome(Verdict::disarmed, {{"message.eml", "Subject: x\n\nbody\n"}}, "eml"));
    MESSAGE("mail released: release " << out);
    CHECK(out == 3);   // the message's bytes, new/, the verdict line
    CHECK(files_in(p.to.maildir / "new").size() == 1);
}

TEST_CASE("fsync budget: a held item costs the store's writes and two audit lines, nothing of the spool's") {
    Path p(Source::share);
    p.intake();
    auto out = p.release(p.outcome(Verdict::quarantined, {}, "unknown"));
    MESSAGE("share held: release " << out << " (besides SQLite's own commit)");
    // Two encrypted objects (original, report: data and folder each) and two audit lines (item.hold,
    // item.verdict); held.json, the report file and done/ are written without fsync.
    CHECK(out <= 6);
    CHECK(files_in(p.t / "reports").size() == 1);
}

TEST_CASE("fsync budget: the audit head is rewritten without fsync, the line is made durable") {
    TempDir t;
    quarantine::AuditLog log(t / "audit.log", false);
    quarantine::AuditEvent e;
    e.actor = "test";
    e.action = "x";
    log.append(e);   // the first line creates the file
    auto before = sync_counts();
    log.append(e);
    auto after = sync_counts();
    CHECK(after.files - before.files == 1);
    CHECK(after.directories - before.directories == 0);
    auto head = nlohmann::json::parse(read_whole(t / "audit.log.head"));
    CHECK(head["seq"] == 2);
}

TEST_CASE("fsync budget: the officer's release of a held share item writes it with 2 fsyncs (its bytes, the folder)") {
    TempDir t;
    GatewayConfig config;
    config.out_dir = t / "out";
    config.release.maildir = t / "mail";
    config.review = temp_quarantine_config(t.path);
    config.scan.enabled = false;
    GatewaySink sink(config);
    quarantine::ReleasedItem it;
    it.item_id = "20261201T101500Z-0123456789ab-abcdef";
    it.kind = "original";
    it.name = "写真.png";
    it.bytes = "PNG bytes";
    it.section = "総務課";
    it.source = "share";
    auto before = sync_counts().total();
    std::string where = sink.release(it);
    CHECK(sync_counts().total() - before == 2);   // the approval's audit lines are the review service's, 1 each
    CHECK(read_whole(where) == "PNG bytes");
}
