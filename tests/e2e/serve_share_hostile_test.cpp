// The share as a hostile share user would leave it: symlinks and hard links to files outside, a claim
// folder that is a file or a symlink (to a folder outside, to the spool), FIFOs and folders named like
// documents, a section folder swapped for a symlink, a name with a newline, a deep tree, thousands of
// entries; planted before the start and while the service runs. Nothing outside the share may be read,
// released or deleted, no accepted job may be lost, and the service must start and stay up.
#include <doctest/doctest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "fixtures.hpp"
#include "lmtp_client.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

const std::string secret = "SECRET-outside-the-share";

// Every entry under `dir` (symlinks not followed): its kind and, for files, its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        auto st = fs::symlink_status(it->path());
        std::string rel = fs::relative(it->path(), dir).string();
        if (fs::is_symlink(st)) out[rel] = "symlink:" + fs::read_symlink(it->path()).string();
        else if (fs::is_regular_file(st)) out[rel] = "file:" + read_whole(it->path());
        else if (fs::is_directory(st)) out[rel] = "dir";
        else out[rel] = "special";
    }
    return out;
}

// Does any released file, report or held original carry the secret?
bool secret_leaked(const ServiceProcess& s) {
    for (const char* d : {"out", "reports", "spool"}) {
        if (!fs::exists(s.path(d))) continue;
        for (const auto& e : fs::recursive_directory_iterator(s.path(d)))
            if (e.is_regular_file() && !e.is_symlink() && read_whole(e.path()).find(secret) != std::string::npos) return true;
    }
    for (const auto& [report, original] : s.held_reports())
        if (original.find(secret) != std::string::npos || report.dump().find(secret) != std::string::npos) return true;
    return false;
}

void send_mail(unsigned short port, const std::string& subject) {
    RawClient c(port);
    REQUIRE(c.reply().starts_with("220 "));
    c.send("LHLO x\r\nMAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n");
    REQUIRE(c.reply().starts_with("250 "));
    REQUIRE(c.reply().starts_with("250 "));
    REQUIRE(c.reply().starts_with("250 "));
    REQUIRE(c.reply().starts_with("354 "));
    c.send("From: a@example.jp\r\nTo: b@lg.jp\r\nSubject: " + subject + "\r\n\r\nbody\r\n.\r\n");
    REQUIRE(c.reply().starts_with("250 2.0.0"));
}

// Plants the hostile entries of one round in `section` (prefix keeps the rounds apart).
// A symlink at `path` where a section folder was a moment ago: the service makes a missing section
// folder again on its next scan (watcher.cpp), so an empty folder found there is taken away again.
void symlink_in_place_of(const fs::path& target, const fs::path& path) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::error_code ec;
        fs::create_symlink(target, path, ec);
        if (!ec) return;
        if (fs::is_directory(fs::symlink_status(path)) && fs::is_empty(path)) fs::remove(path, ec);
    }
    FAIL("could not put a symlink in place of " << path);
}

void plant(const fs::path& section, const fs::path& outside, const std::string& prefix) {
    fs::create_symlink(outside / "secret.txt", section / (prefix + "link.txt"));
    fs::create_symlink(outside / "victim", section / (prefix + "folder-link.docx"));
    REQUIRE(::mkfifo((section / (prefix + "report.pdf")).c_str(), 0644) == 0);
    fs::create_hard_link(outside / "hard-target.txt", section / (prefix + "hard.txt"));
    fs::create_directories(section / (prefix + "dir.docx"));
    write_file(section / (prefix + "dir.docx") / "inner.txt", "inside a folder named like a file\n");
    // Named like our own claims: never ours unless the spool says so.
    fs::create_symlink(outside / "secret.txt", section / ".mugaika-claim-20260101T000000Z-0123456789abcdef");
}

struct Unmount {
    fs::path p;
    bool mounted = false;
    ~Unmount() {
        if (mounted) ::umount2(p.c_str(), MNT_DETACH);
    }
};

}  // namespace

TEST_CASE("serve: hostile share entries, planted before the start and while running, are refused and left alone") {
    // The share lives on a file system of its own when we may mount one (as on a file server): the
    // claim must work without a rename into the spool.
    TempDir probe;
    ServiceProcess s("[share]\ninbound = \"" + (probe.path / "x").string() + "\"\n", "[\"総務課\", \"財政課\", \"人事課\"]");
    fs::path sharefs = s.path("sharefs");
    fs::create_directories(sharefs);
    Unmount unmount{sharefs};
    unmount.mounted = ::geteuid() == 0 && ::mount("tmpfs", sharefs.c_str(), "tmpfs", 0, "size=64m") == 0;
    if (!unmount.mounted) MESSAGE("the share is on the same file system as the spool (cannot mount a tmpfs here)");
    fs::path in = sharefs / "in", outside = sharefs / "outside";
    // Reconfigure the inbound folder (the probe path above only reserved the key).
    std::string cfg = read_whole(s.config_file());
    cfg.replace(cfg.find((probe.path / "x").string()), (probe.path / "x").string().size(), in.string());
    write_file(s.config_file(), cfg);

    // Outside the share: what an attacker would like read, released or deleted.
    write_file(outside / "secret.txt", secret + "\n");
    write_file(outside / "hard-target.txt", secret + " (hard link)\n");
    write_file(outside / "victim" / "keep.txt", secret + " victim\n");
    write_file(outside / "victim" / "20261122T040000Z-0123456789abcdef", secret + " named like a job\n");
    write_file(outside / "victim" / "20261122T040000Z-fedcba9876543210" / "doc.txt", secret + " in a job-like folder\n");
    write_file(outside / "sec" / "x.txt", secret + " behind a symlinked section\n");
    write_file(s.path("spool-decoy/keep.txt"), "not the share's\n");

    fs::path soumu = in / "総務課", zaisei = in / "財政課";
    fs::create_directories(soumu);
    fs::create_directories(zaisei);
    // The claim folder of old: a plain file in one section, a symlink to a folder outside in another,
    // and a symlink into the spool (where accepted mail waits) in the third's place.
    write_file(soumu / ".mugaika-claims", "a stray file\n");
    fs::create_symlink(outside / "victim", zaisei / ".mugaika-claims");
    plant(soumu, outside, "");
    write_file(soumu / "evil\nname.txt", "a name with a newline\n");
    fs::path deep = soumu / "deep";
    for (int i = 0; i < 40; ++i) deep /= "d";
    write_file(deep / "bottom.txt", "deep down\n");
    for (int i = 0; i < 3000; ++i) write_file(soumu / (".hidden-" + std::to_string(i)), "");
    // A section folder that is a symlink to a folder outside.
    fs::create_symlink(outside / "sec", in / "人事課");

    auto outside_before = snapshot(outside);
    s.start();
    fs::create_symlink(s.path("spool/active"), in / "人事課-spool-link");   // not a section: refused
    CHECK(s.http_get("/healthz") == "ok\n");

    // Accepted work goes on: mail and plain files, while more hostile entries arrive.
    send_mail(s.lmtp_port(), "one");
    drop(soumu, "fine.txt", "an ordinary file\n");
    plant(zaisei, outside, "late-");
    // A file replaced by a symlink to a file outside while it settles.
    write_file(zaisei / "swap.txt", "harmless at first\n");
    fs::remove(zaisei / "swap.txt");
    fs::create_symlink(outside / "secret.txt", zaisei / "swap.txt");
    send_mail(s.lmtp_port(), "two");
    drop(zaisei, "fine2.txt", "another ordinary file\n");
    // The section itself swapped for a symlink to a folder outside, then back.
    fs::rename(zaisei, in / "財政課.away");
    symlink_in_place_of(outside / "sec", zaisei);
    REQUIRE(wait_for([&] { return s.current_log().find("section 財政課: is a symbolic link") != std::string::npos; }));
    fs::remove(zaisei);
    fs::rename(in / "財政課.away", zaisei);
    drop(zaisei, "after-swap.txt", "taken once the folder is a folder again\n");

    REQUIRE(wait_for([&] {
        return fs::exists(s.path("out/総務課/fine.txt")) && fs::exists(s.path("out/財政課/fine2.txt")) &&
               fs::exists(s.path("out/財政課/after-swap.txt")) && fs::exists(s.path("out/総務課/evilname.txt"));
    }));
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 6; }));   // 4 files + 2 mails
    CHECK(s.alive());
    CHECK(s.http_get("/healthz") == "ok\n");

    // A restart with everything still planted: it starts, and touches none of it.
    CHECK(s.term() == 0);
    s.start();
    send_mail(s.lmtp_port(), "three");
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 7; }));
    CHECK(s.http_get("/healthz") == "ok\n");
    CHECK(s.term() == 0);

    // Nothing outside the share was read, released or deleted.
    CHECK(snapshot(outside) == outside_before);
    CHECK_FALSE(secret_leaked(s));
    CHECK(read_whole(s.path("spool-decoy/keep.txt")) == "not the share's\n");
    // The hostile entries are where they were, as they were.
    CHECK(fs::is_symlink(soumu / "link.txt"));
    CHECK(fs::is_fifo(soumu / "report.pdf"));
    CHECK(fs::is_fifo(zaisei / "late-report.pdf"));
    CHECK(fs::is_regular_file(soumu / "hard.txt"));
    CHECK(fs::is_directory(soumu / "dir.docx"));
    CHECK(fs::is_regular_file(soumu / ".mugaika-claims"));
    CHECK(fs::is_symlink(zaisei / ".mugaika-claims"));
    CHECK(fs::is_symlink(zaisei / "swap.txt"));
    CHECK(fs::is_symlink(in / "人事課"));
    CHECK(fs::exists(deep / "bottom.txt"));
    // Accepted work: every mail and file exactly once, nothing left in the spool.
    CHECK(count_entries(s.path("spool/incoming")) + count_entries(s.path("spool/active")) == 0);
    CHECK(count_entries(s.path("spool/claims")) == 0);
    CHECK(visible_files(s.path("out")).size() == 4);
    std::string log = s.log();
    for (const char* refused : {"総務課/link.txt: a symbolic link", "総務課/report.pdf: a FIFO", "総務課/hard.txt: the file has other hard links",
                                "総務課/dir.docx: sub-folders", "財政課/late-link.txt: a symbolic link", "section 人事課: is a symbolic link"})
        CHECK_MESSAGE(log.find(refused) != std::string::npos, refused);
    // The newline in a name never starts a log line of its own.
    CHECK(log.find("evil\\nname.txt") != std::string::npos);
    CHECK(log.find("\nname.txt") == std::string::npos);
}

TEST_CASE("serve: an interrupted claim whose entry a share user replaced is left alone at the restart") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ::setenv("MUGAIKA_TEST_KILL_AT", "share.claimed", 1);
    ServiceProcess s;
    TempDir outside;
    write_file(outside / "secret.txt", secret + "\n");
    s.start();
    ::unsetenv("MUGAIKA_TEST_KILL_AT");
    drop(s.path("in/総務課"), "claimed.txt", "the file being taken\n");
    REQUIRE(wait_for([&] { return !s.alive(); }));   // killed right after the claim rename
    // The share user swaps our claim for a symlink to a file outside, and plants a FIFO under the same
    // kind of name for good measure.
    std::string claim;
    for (const auto& e : fs::directory_iterator(s.path("in/総務課")))
        if (e.path().filename().string().starts_with(".mugaika-claim-")) claim = e.path().filename().string();
    REQUIRE(!claim.empty());
    fs::rename(s.path("in/総務課") / claim, s.path("in/総務課/stolen.bin"));
    fs::create_symlink(outside / "secret.txt", s.path("in/総務課") / claim);
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    REQUIRE(wait_for([&] { return s.current_log().find("left alone") != std::string::npos; }));
    CHECK(fs::is_symlink(s.path("in/総務課") / claim));
    CHECK(read_whole(outside / "secret.txt") == secret + "\n");
    CHECK(count_entries(s.path("spool/claims")) == 0);
    // The renamed file is an ordinary share file again: taken once, under its new name.
    REQUIRE(wait_for([&] { return fs::exists(s.path("out/総務課/stolen.bin")) || count_entries(s.path("reports")) == 1; }));
    CHECK(s.alive());
    CHECK(s.term() == 0);
    CHECK_FALSE(secret_leaked(s));
}
