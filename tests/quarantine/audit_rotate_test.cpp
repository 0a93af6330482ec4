// Rotating the audit log keeps its chain: the new file's first line records the archived file's last
// hash, `verify_audit_chain` follows the links back, appenders never write into an archived file.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "fixtures.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/crypto.hpp"

using namespace mugaika::quarantine;
using mugaika::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> v;
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

void append(AuditLog& log, const std::string& action, int n) {
    AuditEvent e;
    e.actor = "sato";
    e.action = action;
    e.detail = {{"n", n}};
    log.append(e);
}

AuditEvent rotation() {
    AuditEvent e;
    e.actor = "local-admin";
    e.action = "audit.rotate";
    e.detail = {{"uid", 0}};
    return e;
}

// A copy of the file with its last line cut off, and a head rewritten to match: a careful forger.
void forge_tail(const fs::path& file) {
    auto lines = lines_of(file);
    lines.pop_back();
    std::ofstream out(file, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
    out.close();
    auto last = nlohmann::json::parse(lines.back());
    fs::path head = file;
    head += ".head";
    std::ofstream(head, std::ios::trunc) << nlohmann::json{{"seq", last["seq"]}, {"sha256", sha256_hex(lines.back())}}.dump() << "\n";
}

}  // namespace

TEST_CASE("audit rotate: a new chain starts with the archived file's last hash, both verify") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog log(file, false);
    std::int64_t now_ms = 1'800'000'000'000;
    log.set_clock([&] { return now_ms; });
    for (int i = 1; i <= 5; ++i) append(log, "item.view", i);
    auto before = lines_of(file);
    auto r = log.rotate(rotation());
    REQUIRE_FALSE(r.archived.empty());
    CHECK(r.archived.filename() == "audit.log.20270115T080000Z");
    CHECK(r.last_seq == 5);
    CHECK(r.last_sha256 == sha256_hex(before.back()));
    CHECK(lines_of(r.archived) == before);   // the archived file is the old file, untouched
    fs::path archived_head = r.archived;
    archived_head += ".head";
    CHECK(fs::exists(archived_head));
    auto now = lines_of(file);
    REQUIRE(now.size() == 1);
    auto first = nlohmann::json::parse(now[0]);
    CHECK(first["seq"] == 1);
    CHECK(first["action"] == "audit.rotate");
    CHECK(first["prev"] == std::string(64, '0'));
    CHECK(first["detail"]["previous_file"] == "audit.log.20270115T080000Z");
    CHECK(first["detail"]["previous_seq"] == 5);
    CHECK(first["detail"]["previous_sha256"] == sha256_hex(before.back()));
    CHECK(first["detail"]["uid"] == 0);
    // Appending goes on in the new file.
    append(log, "item.view", 6);
    CHECK(lines_of(file).size() == 2);
    CHECK(lines_of(r.archived) == before);
    // A second rotation in the same second gets its own name.
    auto r2 = log.rotate(rotation());
    CHECK(r2.archived.filename() == "audit.log.20270115T080000Z-2");
    append(log, "item.view", 7);

    auto chain = verify_audit_chain(file);
    REQUIRE(chain.size() == 3);
    CHECK(chain[0].file == file);
    CHECK(chain[1].file == r2.archived);
    CHECK(chain[2].file == r.archived);
    for (const auto& f : chain) {
        CHECK(f.result.ok());
        CHECK(f.result.head_checked);
        CHECK(f.notes.empty());
    }
}

TEST_CASE("audit rotate: altering an archived file is found, even with a forged head") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog log(file, false);
    for (int i = 1; i <= 4; ++i) append(log, "item.view", i);
    auto r = log.rotate(rotation());
    append(log, "item.view", 5);
    forge_tail(r.archived);   // the archived file alone still verifies...
    CHECK(verify_audit_log(r.archived).ok());
    auto chain = verify_audit_chain(file);   // ...but no longer ends where the new file says it ended
    REQUIRE(chain.size() == 2);
    CHECK_FALSE(chain[0].result.ok());
    CHECK(chain[0].result.problems.at(0).message.find("altered after the rotation") != std::string::npos);

    // An archived file moved elsewhere ends the walk with a note, not an error.
    fs::rename(r.archived, t.path / "moved");
    chain = verify_audit_chain(file);
    REQUIRE(chain.size() == 1);
    CHECK(chain[0].result.ok());
    REQUIRE(chain[0].notes.size() == 1);
    CHECK(chain[0].notes[0].find(r.archived.filename().string()) != std::string::npos);
}

TEST_CASE("audit rotate: refuses to archive a tail that does not match its head or is torn, an empty log stays") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog log(file, false);
    CHECK(log.rotate(rotation()).archived.empty());   // nothing to rotate
    const bool holds_lines = fs::exists(file) && fs::file_size(file) > 0;
    CHECK_FALSE(holds_lines);
    for (int i = 1; i <= 3; ++i) append(log, "item.view", i);
    forge_tail(file);
    // forge_tail rewrote the head to match: put back a head that records the removed line.
    {
        AuditLog other(t.path / "other.log", false);
        for (int i = 1; i <= 3; ++i) append(other, "item.view", i);
    }
    fs::path head = file;
    head += ".head";
    fs::copy_file(t.path / "other.log.head", head, fs::copy_options::overwrite_existing);
    CHECK_THROWS_WITH_AS(log.rotate(rotation()), doctest::Contains("head"), std::runtime_error);
    std::ofstream(file, std::ios::app) << "{\"seq\":3,\"torn";
    CHECK_THROWS_WITH_AS(log.rotate(rotation()), doctest::Contains("incomplete"), std::runtime_error);
    // Nothing was archived by the refused rotations.
    int archives = 0;
    for (const auto& e : fs::directory_iterator(t.path))
        archives += e.path().filename().string().rfind("audit.log.2", 0) == 0;
    CHECK(archives == 0);
}

TEST_CASE("audit rotate: a head behind the log (its update failed on a full disk) is rotated, a forged one is not") {
    for (bool forged : {false, true}) {
        CAPTURE(forged);
        TempDir t;
        fs::path file = t.path / "audit.log";
        AuditLog log(file, false);
        for (int i = 1; i <= 4; ++i) append(log, "item.view", i);
        auto lines = lines_of(file);
        // The head as an append that could not update it would have left it: naming line 2.
        std::string named = lines[1];
        if (forged) named[named.size() - 3] ^= 1;   // a head that matches no line of the log
        fs::path head = file;
        head += ".head";
        std::ofstream(head, std::ios::trunc) << nlohmann::json{{"seq", 2}, {"sha256", sha256_hex(named)}}.dump() << "\n";
        if (forged) {
            CHECK_THROWS_WITH_AS(log.rotate(rotation()), doctest::Contains("head"), std::runtime_error);
            continue;
        }
        auto r = log.rotate(rotation());
        REQUIRE_FALSE(r.archived.empty());
        CHECK(r.last_seq == 4);
        CHECK(r.last_sha256 == sha256_hex(lines[3]));
        auto chain = verify_audit_chain(file);
        REQUIRE(chain.size() == 2);
        for (const auto& link : chain) CHECK_MESSAGE(link.result.ok(), link.file.string());
        CHECK(chain[1].result.head_behind == 2);
    }
}

TEST_CASE("audit rotate: an appender waiting for the lock while the file is replaced writes into the new file") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog writer(file, false);
    append(writer, "item.view", 1);
    // Hold the lock as a rotation would, replace the file under it, then let the waiting appender go.
    int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    std::atomic<bool> done{false};
    std::thread appender([&] {
        append(writer, "item.view", 2);
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(done.load());
    REQUIRE(::link(file.c_str(), (t.path / "audit.log.archived").c_str()) == 0);
    {
        AuditLog fresh(t.path / "fresh.log", false);
        append(fresh, "audit.rotate", 0);
    }
    fs::rename(t.path / "fresh.log", file);
    ::close(fd);   // releases the lock
    appender.join();
    CHECK(lines_of(t.path / "audit.log.archived").size() == 1);   // the archived inode got nothing
    auto now = lines_of(file);
    REQUIRE(now.size() == 2);
    CHECK(nlohmann::json::parse(now[1])["detail"]["n"] == 2);
    CHECK(nlohmann::json::parse(now[1])["seq"] == 2);
}

TEST_CASE("audit rotate: a link left by an interrupted rotation is removed, never kept as an archive") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog log(file, false);
    for (int i = 1; i <= 2; ++i) append(log, "item.view", i);
    // The crash came after the link and before the new file was renamed into place.
    REQUIRE(::link(file.c_str(), (t.path / "audit.log.20000101T000000Z").c_str()) == 0);
    auto r = log.rotate(rotation());
    CHECK_FALSE(fs::exists(t.path / "audit.log.20000101T000000Z"));
    CHECK(lines_of(r.archived).size() == 2);
    CHECK(verify_audit_chain(file).size() == 2);
}
