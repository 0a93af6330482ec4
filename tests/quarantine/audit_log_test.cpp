// The audit log's hash chain: every edit, removal or reordering is found, with its line.
#include <doctest/doctest.h>

#include <fstream>
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

TEST_CASE("audit log: a torn last line stops further appends") {
    TempDir t;
    fs::path file = make_log(t, 2);
    {
        std::ofstream out(file, std::ios::app);
        out << "{\"seq\":3,";
    }
    AuditLog log(file, false);
    CHECK_THROWS(log.append(AuditEvent{"a", "login", "", "ok", {}}));
    CHECK_FALSE(verify_audit_log(file).ok());
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
