// Release of a spooled job is idempotent by job id: whatever point a crash interrupted it at, running
// it again releases and holds everything exactly once.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/quarantine/runtime.hpp"
#include "mugaika/report.hpp"
#include "release/job_release.hpp"
#include "spool/spool.hpp"
#include "temp_quarantine.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

quarantine::QuarantineConfig quarantine_config(const fs::path& root) { return temp_quarantine_config(root); }

struct Fixture {
    TempDir t;
    JobMeta meta;
    fs::path job;
    ReleaseTarget to;
    Fixture(Source source = Source::share) {
        meta.id = Spool::new_id();
        meta.source = source;
        meta.section = source == Source::share ? "総務課" : "";
        meta.recipients = {"a@lg.jp"};
        meta.name = source == Source::share ? "in.txt" : "message.eml";
        meta.received_ms = now_ms();
        job = t / "job";
        write_file(job / "original", "original bytes");
        to = {t / "out", t / "mail", std::make_shared<QuarantineHold>(quarantine_config(t.path)), t / "reports",
              NoteMode::none};
    }
    Outcome released(std::vector<std::pair<std::string, std::string>> outputs, const std::string& type = "text") const {
        Outcome o;
        o.input_name = meta.name;
        o.input_size = 14;
        o.input_sha256 = sha256_hex("original bytes");
        o.detected_type = type;
        o.verdict = Verdict::disarmed;
        for (auto& [n, b] : outputs) o.outputs.push_back({n, type, b});
        return o;
    }
    Outcome held() const {
        Outcome o = released({});
        o.verdict = Verdict::quarantined;
        o.reason = "unsupported";
        return o;
    }
    fs::path dest() const { return to.out_root / "総務課"; }
};

// The items in the fixture's encrypted quarantine, read through a runtime of its own (as the officer UI would).
std::vector<quarantine::Item> held_items(const fs::path& root) {
    quarantine::QuarantineRuntime rt(quarantine_config(root));
    return rt.service().store().list({});
}

}  // namespace

TEST_CASE("release: running a finished release again changes nothing") {
    Fixture f;
    auto o = f.released({{"a.txt", "A"}, {"b.txt", "B"}});
    auto r1 = release_job(f.job, f.meta, o, f.to);
    fs::remove(f.job / "published.json");   // lazily written: lost in a power failure, the links say the same
    auto r2 = release_job(f.job, f.meta, o, f.to);
    retire_staging(f.dest(), f.meta.id);
    CHECK(files_in(f.dest()).size() == 2);
    REQUIRE(r1.released.size() == r2.released.size());
    for (std::size_t i = 0; i < r1.released.size(); ++i) CHECK(r1.released[i].string() == r2.released[i].string());
    CHECK(read_whole(f.dest() / "a.txt") == "A");
    CHECK(fs::exists(f.to.reports / (f.meta.id + ".json")));
}

TEST_CASE("release: until the job is finished each output is its hidden stage temp's second link") {
    Fixture f;
    auto r = release_job(f.job, f.meta, f.released({{"a.txt", "A"}}), f.to);
    REQUIRE(r.released.size() == 1);
    fs::path temp = f.dest() / (".mugaika-stage-" + f.meta.id + "-0");
    REQUIRE(fs::exists(temp));
    CHECK(fs::hard_link_count(temp) == 2);
    CHECK(fs::equivalent(temp, f.dest() / "a.txt"));
    retire_staging(f.dest(), f.meta.id);
    CHECK_FALSE(fs::exists(temp));
    CHECK(fs::hard_link_count(f.dest() / "a.txt") == 1);
    CHECK(read_whole(f.dest() / "a.txt") == "A");
}

TEST_CASE("release: a crash between two publishing links publishes only the rest") {
    Fixture f;
    auto o = f.released({{"a.txt", "A"}, {"b.txt", "B"}});
    // The state a crash leaves: both staged, the first already linked under its name.
    fs::create_directories(f.dest());
    std::string prefix = ".mugaika-stage-" + f.meta.id + "-";
    write_file(f.dest() / (prefix + "0"), "A");
    write_file(f.dest() / (prefix + "1"), "B");
    fs::create_hard_link(f.dest() / (prefix + "0"), f.dest() / "a.txt");

    auto r = release_job(f.job, f.meta, o, f.to);
    retire_staging(f.dest(), f.meta.id);
    auto files = files_in(f.dest());
    REQUIRE(files.size() == 2);   // no "a (2).txt"
    CHECK(read_whole(f.dest() / "b.txt") == "B");
    REQUIRE(r.released.size() == 2);
    CHECK(r.released[0] == f.dest() / "a.txt");
    CHECK(!fs::exists(f.dest() / (prefix + "1")));
}

TEST_CASE("release: an output published under a numbered name before a crash is found there, not published again") {
    Fixture f;
    auto o = f.released({{"a.txt", "A"}});
    fs::create_directories(f.dest());
    write_file(f.dest() / "a.txt", "somebody else's a.txt");
    std::string temp = ".mugaika-stage-" + f.meta.id + "-0";
    write_file(f.dest() / temp, "A");
    fs::create_hard_link(f.dest() / temp, f.dest() / "a (2).txt");
    auto r = release_job(f.job, f.meta, o, f.to);
    retire_staging(f.dest(), f.meta.id);
    REQUIRE(r.released.size() == 1);
    CHECK(r.released[0] == f.dest() / "a (2).txt");
    CHECK(files_in(f.dest()).size() == 2);   // no "a (3).txt"
    CHECK(read_whole(f.dest() / "a.txt") == "somebody else's a.txt");
}

TEST_CASE("release: temps of an interrupted staging are dropped and staged afresh") {
    for (std::string left : {"A, half wri", "", "A, whole but another output"}) {
        CAPTURE(left);
        Fixture f;
        fs::create_directories(f.dest());
        write_file(f.dest() / (".mugaika-stage-" + f.meta.id + "-0"), left);
        auto r = release_job(f.job, f.meta, f.released({{"a.txt", "A, whole"}}), f.to);
        retire_staging(f.dest(), f.meta.id);
        CHECK(files_in(f.dest()).size() == 1);
        CHECK(read_whole(f.dest() / "a.txt") == "A, whole");
        std::size_t hidden = 0;
        for (const auto& e : fs::directory_iterator(f.dest())) hidden += e.path().filename().string().starts_with(".");
        CHECK(hidden == 0);
    }
}

TEST_CASE("release: a held job goes into the encrypted quarantine once, with its report and envelope") {
    Fixture f(Source::mail);
    auto o = f.held();
    auto r1 = release_job(f.job, f.meta, o, f.to);
    REQUIRE(r1.quarantine_id);
    auto items = held_items(f.t.path);
    REQUIRE(items.size() == 1);
    CHECK(items[0].id == *r1.quarantine_id);
    CHECK(items[0].source == "mail");
    CHECK(items[0].recipients == f.meta.recipients);
    CHECK(items[0].reason == "unsupported");
    {
        quarantine::QuarantineRuntime rt(quarantine_config(f.t.path));
        CHECK(rt.service().store().original(items[0]) == "original bytes");
        auto report = nlohmann::json::parse(rt.service().store().report(items[0]));
        CHECK(report["job_id"] == f.meta.id);
    }
    // The store keeps only ciphertext: no object holds the original's bytes.
    for (const auto& e : fs::recursive_directory_iterator(f.t.path / "store"))
        if (e.is_regular_file()) CHECK(read_whole(e.path()).find("original bytes") == std::string::npos);
    // A crash after the quarantine's commit but before held.json: the item id derived from the job id
    // finds the earlier hold.
    fs::remove(f.job / "held.json");
    auto r2 = release_job(f.job, f.meta, o, f.to);
    CHECK(r2.quarantine_id == r1.quarantine_id);
    CHECK(held_items(f.t.path).size() == 1);
    CHECK_FALSE(fs::exists(f.to.maildir / "new"));
}

TEST_CASE("release: another job's item under the same derived id is not taken for this job's hold") {
    Fixture f;
    // Occupy the first candidate id with an item of some other job.
    std::string sha = sha256_hex("original bytes");
    {
        quarantine::QuarantineRuntime rt(quarantine_config(f.t.path));
        quarantine::HoldRequest other;
        other.id = held_item_id(f.meta.id, sha, 0);
        other.original = "original bytes";
        other.report_json = R"({"job_id":"20260101T000000Z-0000000000000000"})";
        rt.service().hold(other);
    }
    auto r = release_job(f.job, f.meta, f.held(), f.to);
    REQUIRE(r.quarantine_id);
    CHECK(*r.quarantine_id == held_item_id(f.meta.id, sha, 1));
    CHECK(held_items(f.t.path).size() == 2);
}

TEST_CASE("release: mail goes to the Maildir once, with X-Mugaika-ID") {
    Fixture f(Source::mail);
    auto o = f.released({{"message.eml", "Subject: hi\n\nbody\n"}}, "eml");
    auto r1 = release_job(f.job, f.meta, o, f.to);
    auto r2 = release_job(f.job, f.meta, o, f.to);
    auto delivered = files_in(f.to.maildir / "new");
    REQUIRE(delivered.size() == 1);
    CHECK(r1.released == r2.released);
    std::string mail = read_whole(delivered[0]);
    CHECK(mail.starts_with("X-Mugaika-ID: " + f.meta.id + "\n"));
    CHECK(mail.ends_with("Subject: hi\n\nbody\n"));
    CHECK(files_in(f.to.maildir / "tmp").empty());
}

TEST_CASE("release: a mail item whose output is not a mail is held, never released") {
    Fixture f(Source::mail);
    auto r = release_job(f.job, f.meta, f.released({{"x.txt", "text"}}, "text"), f.to);
    CHECK(r.verdict == Verdict::quarantined);
    CHECK(r.quarantine_id);
    CHECK((!fs::exists(f.to.maildir / "new") || files_in(f.to.maildir / "new").empty()));
}

TEST_CASE("release: the Japanese note accompanies the item when the policy asks for it") {
    Fixture f;
    f.to.notes = NoteMode::all;
    release_job(f.job, f.meta, f.released({{"in.txt", "clean"}}), f.to);
    CHECK(read_whole(f.dest() / "in.txt") == "clean");
    std::string note = read_whole(f.dest() / "in.txt.無害化のお知らせ.txt");
    CHECK(note.find("受付番号: " + f.meta.id) != std::string::npos);

    Fixture g;
    g.to.notes = NoteMode::quarantined;
    auto r = release_job(g.job, g.meta, g.held(), g.to);
    retire_staging(g.dest(), g.meta.id);
    auto files = files_in(g.dest());
    REQUIRE(files.size() == 1);
    CHECK(read_whole(files[0]).find("隔離番号: " + *r.quarantine_id) != std::string::npos);
}
