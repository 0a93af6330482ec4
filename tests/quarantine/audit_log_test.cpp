// The audit log's hash chain: every edit, removal or reordering is found, with its line.
#include <doctest/doctest.h>

#include <fstream>
#include <system_error>
#include <thread>

#include "fixtures.hpp"
#include "mugaika/quarantine/audit_log.hpp"

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
