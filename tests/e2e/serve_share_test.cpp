// mugaika serve with the watched share: files dropped into two sections come out disarmed in the
// right section folders; partial files are not taken early; collisions never overwrite; temp files
// and files outside a section stay where they are.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json report_for(const ServiceProcess& s, const std::string& name) {
    for (const auto& f : files_in(s.path("reports"))) {
        auto j = nlohmann::json::parse(read_whole(f));
        if (j["job"]["name"] == name) return j;
    }
    return {};
}

}  // namespace

TEST_CASE("serve: share sections are disarmed into their own drop folders") {
    ServiceProcess s("[worker]\ncount = 2\n");
    s.start();
    // A CSV with a formula cell (disarmed), plain Japanese text (released), a Windows program under
    // a harmless name (blocked by type: quarantined, never released).
    drop(s.path("in/総務課"), "名簿.csv", "名前,式\n山田,=HYPERLINK(\"http://x\")\n");
    drop(s.path("in/財政課"), "memo.txt", "予算のメモ\n");
    drop(s.path("in/財政課"), "update.bin", std::string("MZ\x90\x00\x03\x00\x00\x00 program", 17));
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 3; }));

    auto soumu = visible_files(s.path("out/総務課"));
    auto zaisei = visible_files(s.path("out/財政課"));
    REQUIRE(soumu.size() == 1);
    REQUIRE(zaisei.size() == 1);
    CHECK(soumu[0].filename() == "名簿.csv");
    std::string csv = read_whole(soumu[0]);
    CHECK(csv.find("山田") != std::string::npos);
    CHECK(csv.find(",=HYPERLINK") == std::string::npos);   // the formula no longer starts the cell
    CHECK(zaisei[0].filename() == "memo.txt");
    CHECK(read_whole(zaisei[0]) == "予算のメモ\n");

    auto exe = report_for(s, "update.bin");
    REQUIRE(!exe.is_null());
    CHECK(exe["verdict"] == "quarantined");
    CHECK(exe["reason"]["code"] == "blocked.type");
    CHECK(exe["job"]["section"] == "財政課");
    // Held in the officer's encrypted quarantine, with the section it was meant for.
    auto held = s.held_items();
    REQUIRE(held.size() == 1);
    CHECK(held[0].section == "財政課");
    CHECK(held[0].source == "share");
    CHECK(held[0].reason == "blocked.type");
    CHECK(held[0].id == exe["quarantine_id"]);
    CHECK(report_for(s, "名簿.csv")["verdict"] == "disarmed");

    // Every verdict is in the hash-chained audit log, and the chain verifies.
    std::string audit = read_whole(s.path("audit/audit.log"));
    std::size_t verdicts = 0;
    for (std::size_t at = audit.find("\"item.verdict\""); at != std::string::npos; at = audit.find("\"item.verdict\"", at + 1))
        ++verdicts;
    CHECK(verdicts == 3);
    CHECK(audit.find("\"verdict\":\"quarantined\"") != std::string::npos);
    CHECK(run(shell_quote(mugaika_binary().string()) + " audit verify " + shell_quote(s.path("audit/audit.log").string()) +
              " > /dev/null").status == 0);

    // Taken out of the share, and nothing of ours left behind in the section folders.
    CHECK(visible_files(s.path("in")).empty());
    CHECK(s.term() == 0);
}

TEST_CASE("serve: a CP932 file name is read as CP932, released under its characters, with a name.encoding finding") {
    ServiceProcess s;
    s.start();
    // CP932 bytes from an old SMB/NFS client: 会議 (0x89 0xEF 0x8B 0x63) and 表 (0x95 0x5C, whose second
    // byte is a backslash in ASCII).
    drop(s.path("in/総務課"), "\x89\xef\x8b\x63\x95\x5c.txt", "会議のメモ\n");
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    auto out = visible_files(s.path("out/総務課"));
    REQUIRE(out.size() == 1);
    CHECK(out[0].filename() == "会議表.txt");
    CHECK(read_whole(out[0]) == "会議のメモ\n");
    auto r = report_for(s, "会議表.txt");   // the job shows the decoded name (its bytes are kept beside it)
    REQUIRE(!r.is_null());
    CHECK(r["job"]["name_bytes"] == "89ef8b63955c2e747874");
    bool encoding = false;
    for (const auto& f : r["findings"]) encoding |= f["kind"] == "name.encoding";
    CHECK(encoding);
    CHECK(r["input"]["name"] == "会議表.txt");
    // (The report is written before the verdict line: wait for the line.)
    CHECK(wait_for([&] { return read_whole(s.path("audit/audit.log")).find("\"name\":\"会議表.txt\"") != std::string::npos; }));
    CHECK(visible_files(s.path("in")).empty());
    CHECK(s.term() == 0);
}

TEST_CASE("serve: a name collision in the drop folder never overwrites") {
    ServiceProcess s;
    write_file(s.path("out/総務課/報告.txt"), "earlier file\n");
    s.start();
    drop(s.path("in/総務課"), "報告.txt", "new file\n");
    REQUIRE(wait_for([&] { return visible_files(s.path("out/総務課")).size() == 2; }));
    CHECK(read_whole(s.path("out/総務課/報告.txt")) == "earlier file\n");
    CHECK(read_whole(s.path("out/総務課/報告 (2).txt")) == "new file\n");
    drop(s.path("in/総務課"), "報告.txt", "third file\n");
    REQUIRE(wait_for([&] { return visible_files(s.path("out/総務課")).size() == 3; }));
    CHECK(read_whole(s.path("out/総務課/報告 (3).txt")) == "third file\n");
    CHECK(s.term() == 0);
}

TEST_CASE("serve: a file still being written is not taken early") {
    ServiceProcess s;
    s.start();
    fs::path p = s.path("in/総務課/growing.txt");
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    REQUIRE(fd >= 0);
    std::string first = "first half of the file\n", second = "second half of the file\n";
    REQUIRE(::write(fd, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
    // Several settle periods and rescans go by while the writer keeps the file open.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(fs::exists(p));
    CHECK(visible_files(s.path("out")).empty());
    REQUIRE(::write(fd, second.data(), second.size()) == static_cast<ssize_t>(second.size()));
    ::close(fd);
    REQUIRE(wait_for([&] { return fs::exists(s.path("out/総務課/growing.txt")); }));
    CHECK(read_whole(s.path("out/総務課/growing.txt")) == first + second);
    CHECK(!fs::exists(p));
    CHECK(s.term() == 0);
}

TEST_CASE("serve: temp files and files outside a section stay in the share") {
    ServiceProcess s;
    s.start();
    write_file(s.path("in/総務課/~$予算.xlsx"), "owner file");
    write_file(s.path("in/総務課/download.part"), "partial");
    write_file(s.path("in/総務課/save.tmp"), "temp");
    write_file(s.path("in/総務課/.~lock.予算.xlsx#"), "lock");
    write_file(s.path("in/総務課/.hidden"), "dot");
    write_file(s.path("in/stray.txt"), "not in a section");
    write_file(s.path("in/人事課/other.txt"), "an unconfigured section");
    drop(s.path("in/総務課"), "marker.txt", "taken\n");
    REQUIRE(wait_for([&] { return fs::exists(s.path("out/総務課/marker.txt")); }));
    // One more rescan period, so that a wrongly taken file would have been taken by now.
    REQUIRE(wait_for([&] { return s.current_log().find("人事課") != std::string::npos; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (const char* left : {"in/総務課/~$予算.xlsx", "in/総務課/download.part", "in/総務課/save.tmp",
                             "in/総務課/.~lock.予算.xlsx#", "in/総務課/.hidden", "in/stray.txt", "in/人事課/other.txt"})
        CHECK_MESSAGE(fs::exists(s.path(left)), left);
    CHECK(visible_files(s.path("out")).size() == 1);
    CHECK(s.current_log().find("refused " + s.path("in/stray.txt").string()) != std::string::npos);
    CHECK(s.term() == 0);
}

TEST_CASE("serve: a bad configuration fails at start with file and line") {
    ServiceProcess s("[share]\nsettle_msec = 5\n");
    auto r = run(shell_quote(mugaika_binary().string()) + " serve --config " + shell_quote(s.config_file().string()) + " 2>&1");
    CHECK(r.status == 2);
    CHECK(r.out.find("mugaika.toml:") != std::string::npos);
    CHECK(r.out.find("unknown key 'settle_msec' in [share]") != std::string::npos);
}
