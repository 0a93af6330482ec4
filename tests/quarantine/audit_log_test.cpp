// The audit log's hash chain: every edit, removal or reordering is found, with its line.
#include <doctest/doctest.h>

#include <fstream>
#include <system_error>
#include <thread>

#include "fixtures.hpp"
#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/audit_read.hpp"
#include "mugaika/atomic_file.hpp"

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

void write_lines(const fs::path& p, const std::vector<std::string>& v) {
    std::ofstream out(p, std::ios::trunc);
    for (const auto& l : v) out << l << "\n";
}

fs::path make_log(const TempDir& t, int n) {
    fs::path file = t.path / "audit.log";
    AuditLog log(file, false);
    for (int i = 1; i <= n; ++i) {
        AuditEvent e;
        e.actor = "user" + std::to_string(i);
        e.action = "item.view";
        e.item = "20261122T031500Z-0123456789ab-00000" + std::to_string(i % 10);
        e.detail = {{"n", i}, {"text", "閲覧"}};
        log.append(e);
    }
    return file;
}

std::size_t first_problem_line(const AuditVerifyResult& r) {
    REQUIRE_FALSE(r.problems.empty());
    return r.problems.front().line;
}

}  // namespace

TEST_CASE("audit log: lines chain to each other and verify") {
    TempDir t;
    fs::path file = make_log(t, 6);
    auto lines = lines_of(file);
    REQUIRE(lines.size() == 6);
    auto first = nlohmann::json::parse(lines[0]);
    CHECK(first["seq"] == 1);
    CHECK(first["prev"] == std::string(64, '0'));
    CHECK(first["detail"]["text"] == "閲覧");
    auto r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.lines == 6);
    CHECK(r.head_checked);
}

TEST_CASE("audit log: an edited line is found and named") {
    TempDir t;
    fs::path file = make_log(t, 6);
    auto lines = lines_of(file);
    auto pos = lines[2].find("user3");
    REQUIRE(pos != std::string::npos);
    lines[2].replace(pos, 5, "userX");
    write_lines(file, lines);
    auto r = verify_audit_log(file);
    CHECK_FALSE(r.ok());
    CHECK(first_problem_line(r) == 3);
    CHECK(r.problems.front().message.find("line 3") != std::string::npos);
}

TEST_CASE("audit log: a removed line is found") {
    TempDir t;
    fs::path file = make_log(t, 6);
    auto lines = lines_of(file);
    lines.erase(lines.begin() + 2);
    write_lines(file, lines);
    auto r = verify_audit_log(file);
    CHECK_FALSE(r.ok());
    CHECK(first_problem_line(r) == 3);
    CHECK(r.problems.front().message.find("removed") != std::string::npos);
}

TEST_CASE("audit log: swapped lines are found") {
    TempDir t;
    fs::path file = make_log(t, 6);
    auto lines = lines_of(file);
    std::swap(lines[2], lines[3]);
    write_lines(file, lines);
    auto r = verify_audit_log(file);
    CHECK_FALSE(r.ok());
    CHECK(first_problem_line(r) == 3);
}

TEST_CASE("audit log: the last line removed or edited is found through the head file") {
    TempDir t;
    fs::path file = make_log(t, 5);
    auto lines = lines_of(file);
    SUBCASE("removed") {
        lines.pop_back();
        write_lines(file, lines);
        auto r = verify_audit_log(file);
        CHECK_FALSE(r.ok());
        CHECK(r.problems.front().message.find("removed") != std::string::npos);
    }
    SUBCASE("edited") {
        auto pos = lines[4].find("user5");
        lines[4].replace(pos, 5, "userZ");
        write_lines(file, lines);
        auto r = verify_audit_log(file);
        CHECK_FALSE(r.ok());
        CHECK(first_problem_line(r) == 5);
    }
    SUBCASE("the first line removed") {
        lines.erase(lines.begin());
        write_lines(file, lines);
        auto r = verify_audit_log(file);
        CHECK_FALSE(r.ok());
        CHECK(first_problem_line(r) == 1);
    }
}

TEST_CASE("audit log: a torn last line is cut off, and the cut is recorded with the bytes removed") {
    // A torn line is an append that never completed (a crash or power failure mid-write): it was never
    // acknowledged. The next append cuts it off and says so in the chain itself.
    TempDir t;
    fs::path file = make_log(t, 2);
    {
        std::ofstream out(file, std::ios::app);
        out << "{\"seq\":3,";
    }
    CHECK_FALSE(verify_audit_log(file).ok());
    AuditLog log(file, false);
    CHECK(log.append(AuditEvent{"a", "login", "", "ok", {}}) == 4);
    auto lines = lines_of(file);
    REQUIRE(lines.size() == 4);
    auto repair = nlohmann::json::parse(lines[2]);
    CHECK(repair["action"] == "audit.repaired");
    CHECK(repair["detail"]["removed"] == "{\"seq\":3,");
    CHECK(repair["detail"]["removed_bytes"] == 9);
    CHECK(nlohmann::json::parse(lines[3])["action"] == "login");
    auto r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.head_behind == 0);
}

namespace {

// Turns the test build's fault injection on for this scope: while `faults` exists, the points it lists fail.
struct InjectedFaults {
    TempDir dir;
    fs::path file = dir.path / "faults";
    InjectedFaults() {
        ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
        ::setenv("MUGAIKA_TEST_FAULTS", file.c_str(), 1);
    }
    ~InjectedFaults() {
        ::unsetenv("MUGAIKA_TEST_HOOKS");
        ::unsetenv("MUGAIKA_TEST_FAULTS");
    }
    void set(const std::string& lines) { write_lines(file, {lines}); }
    void clear() { fs::remove(file); }
};

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("audit log: an append that fails half-way leaves the file exactly as it was") {
    TempDir t;
    fs::path file = make_log(t, 3);
    std::string before = bytes_of(file), head_before = bytes_of(fs::path(file.string() + ".head"));
    AuditLog log(file, false);
    InjectedFaults faults;
    faults.set("audit.write=ENOSPC");   // half the line is written, then the disk is full
    try {
        log.append(AuditEvent{"a", "login", "", "ok", {}});
        FAIL("the append should have failed");
    } catch (const std::system_error& e) {
        CHECK(e.code().value() == ENOSPC);
    }
    CHECK(bytes_of(file) == before);
    CHECK(bytes_of(fs::path(file.string() + ".head")) == head_before);
    CHECK(log.problem().find("No space left") != std::string::npos);
    CHECK(verify_audit_log(file).ok());
    // Space again: the next append continues the chain, as if nothing had happened.
    faults.clear();
    CHECK(log.append(AuditEvent{"a", "login", "", "ok", {}}) == 4);
    CHECK(log.problem().empty());
    auto r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.lines == 4);
}

TEST_CASE("audit log: a head that cannot be updated after a durable line does not fail the append") {
    // The line is recorded: failing the call would make the caller record the same action again.
    TempDir t;
    fs::path file = make_log(t, 2);
    AuditLog log(file, false);
    InjectedFaults faults;
    faults.set("audit.head=ENOSPC");
    CHECK(log.append(AuditEvent{"gateway", "item.verdict", "", "ok", {{"job", "x"}}}) == 3);
    CHECK(log.problem().find("head") != std::string::npos);
    auto r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.head_behind == 1);
    // A head behind the log still catches an edit of the line it names...
    auto lines = lines_of(file);
    std::string edited = lines[1];
    edited.replace(edited.find("user2"), 5, "userZ");
    write_lines(file, {lines[0], edited, lines[2]});
    CHECK_FALSE(verify_audit_log(file).ok());
    write_lines(file, lines);
    // ... and the next complete append brings it up to date.
    faults.clear();
    CHECK(log.append(AuditEvent{"a", "login", "", "ok", {}}) == 4);
    CHECK(log.problem().empty());
    r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.head_behind == 0);
    // Removing lines the head vouches for is still found.
    lines = lines_of(file);
    lines.pop_back();
    write_lines(file, lines);
    CHECK_FALSE(verify_audit_log(file).ok());
}

TEST_CASE("audit log: the records at the end of the log can be read without reading it all") {
    TempDir t;
    fs::path file = make_log(t, 40);
    auto all = recent_audit_records(file, 1 << 20);
    REQUIRE(all.size() == 40);
    CHECK(all.back()["seq"] == 40);
    auto some = recent_audit_records(file, 2000);
    REQUIRE_FALSE(some.empty());
    CHECK(some.size() < 40);
    CHECK(some.back()["seq"] == 40);
    CHECK(recent_audit_records(t.path / "missing.log", 100).empty());
}

TEST_CASE("audit log: two writers on one file keep one chain") {
    TempDir t;
    fs::path file = t.path / "audit.log";
    AuditLog a(file, false), b(file, false);   // two open files: the flock, not the mutex, orders them
    auto work = [](AuditLog& log, const char* who) {
        for (int i = 0; i < 50; ++i) log.append(AuditEvent{who, "item.list", "", "ok", {}});
    };
    std::thread ta(work, std::ref(a), "a"), tb(work, std::ref(b), "b");
    ta.join();
    tb.join();
    auto r = verify_audit_log(file);
    CHECK(r.ok());
    CHECK(r.lines == 100);
}

TEST_CASE("audit verify: a log whose head file was deleted is not passed as intact") {
    mugaika::test::TempDir tmp;
    AuditLog log(tmp.path / "audit.log", false);
    for (int i = 0; i < 5; ++i) log.append({"gateway", "item.hold", "", "ok", {}});
    CHECK(verify_audit_log(tmp.path / "audit.log").ok());
    // Cut the last two lines and delete the head that would tell.
    std::string text = mugaika::read_file(tmp.path / "audit.log", 1 << 20);
    std::size_t cut = 0;
    for (int i = 0; i < 3; ++i) cut = text.find('\n', cut) + 1;
    mugaika::replace_file(tmp.path, "audit.log", text.substr(0, cut));
    std::filesystem::remove(tmp.path / "audit.log.head");
    auto r = verify_audit_log(tmp.path / "audit.log");
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.head_checked);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message.find("head file") != std::string::npos);
    CHECK(r.problems[0].message_ja.find("ヘッド情報ファイル") != std::string::npos);
}

TEST_CASE("audit verify: every problem also has its Japanese words, wrong types are problems, not crashes") {
    mugaika::test::TempDir tmp;
    AuditLog log(tmp.path / "audit.log", false);
    for (int i = 0; i < 4; ++i) log.append({"gateway", "item.hold", "", "ok", {}});
    std::string text = mugaika::read_file(tmp.path / "audit.log", 1 << 20);
    auto pos = text.find("\"seq\":2,");
    REQUIRE(pos != std::string::npos);
    text.replace(pos, 8, "\"seq\":[2],");
    auto actor = text.find("\"actor\":\"gateway\"", text.find("\"seq\":3,"));
    text.replace(actor, 17, "\"actor\":12345678");
    mugaika::replace_file(tmp.path, "audit.log", text);
    auto r = verify_audit_log(tmp.path / "audit.log");
    CHECK_FALSE(r.ok());
    for (const auto& p : r.problems) {
        CAPTURE(p.message);
        CHECK_FALSE(p.message_ja.empty());
    }
}

TEST_CASE("audit page: newest first, filtered, paged, with lines that are not records kept") {
    mugaika::test::TempDir tmp;
    AuditLog log(tmp.path / "audit.log", false);
    std::int64_t ms = 1'800'000'000'000;
    log.set_clock([&] { return ms; });
    for (int i = 0; i < 120; ++i) {
        ms += 60'000;
        log.append({i % 2 ? "sato" : "gateway", i % 3 ? "item.view" : "release.request", "", i % 5 ? "ok" : "denied",
                    {{"n", i}}});
    }
    std::string text = mugaika::read_file(tmp.path / "audit.log", 1 << 22);
    mugaika::replace_file(tmp.path, "audit.log", text + "garbage line\n");
    AuditQuery q;
    auto p1 = read_audit_page(tmp.path / "audit.log", q);
    REQUIRE(p1.entries.size() == 50);
    CHECK(p1.more);
    CHECK(p1.entries[0].line.is_null());
    CHECK(p1.entries[0].raw == "garbage line");
    CHECK(p1.entries[1].line["detail"]["n"] == 119);
    q.page = 3;
    auto p3 = read_audit_page(tmp.path / "audit.log", q);
    CHECK(p3.entries.size() == 21);
    CHECK_FALSE(p3.more);
    CHECK(p3.entries.back().line["detail"]["n"] == 0);
    AuditQuery f;
    f.actor = "sato";
    f.action = "release.";
    f.outcome = "ok";
    auto pf = read_audit_page(tmp.path / "audit.log", f);
    int expect = 0;
    for (int i = 0; i < 120; ++i) expect += (i % 2 && !(i % 3) && i % 5) ? 1 : 0;
    CHECK(pf.entries.size() == static_cast<std::size_t>(expect));
    for (const auto& e : pf.entries) {
        CHECK(e.line["actor"] == "sato");
        CHECK(e.line["action"] == "release.request");
    }
    // Time bounds (UTC ISO, from the JST dates the page turns them into).
    AuditQuery t;
    t.from_ts = "2027-01-15T08:30:00";
    t.to_ts = "2027-01-15T08:40:00";
    auto pt = read_audit_page(tmp.path / "audit.log", t);
    CHECK(pt.entries.size() == 10);
}
