// The `mugaika` command as a user runs it: exit statuses, folders, reports.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "clamd_server.hpp"
#include "fixtures.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {
std::string bin() { return shell_quote(mugaika_binary().string()); }
}  // namespace

TEST_CASE("cli sanitize: clean and disarmed files reach --out, exit 0") {
    TempDir d;
    write_file(d / "in" / "a.txt", "hello\n");
    write_file(d / "in" / "b.csv", "x,=1+2\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "in" / "a.txt").string()) + " " +
                 shell_quote((d / "in" / "b.csv").string()) + " --out " + shell_quote((d / "out").string()) +
                 " --quarantine " + shell_quote((d / "q").string()) + " --config " + shell_quote(scanless_config(d.path).string()));
    CHECK(r.status == 0);
    CHECK(read_whole(d / "out" / "a.txt") == "hello\n");
    CHECK(read_whole(d / "out" / "b.csv") == "x,'=1+2\n");
    CHECK_FALSE(fs::exists(d / "q"));
}

TEST_CASE("cli sanitize: a blocked input goes to quarantine with its report, exit 3") {
    TempDir d;
    write_file(d / "in" / "請求書.pdf.exe", "MZ\x90\x00 program");
    write_file(d / "in" / "ok.txt", "fine\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "in" / "請求書.pdf.exe").string()) + " " +
                 shell_quote((d / "in" / "ok.txt").string()) + " --out " + shell_quote((d / "out").string()) +
                 " --quarantine " + shell_quote((d / "q").string()) + " --reports " + shell_quote((d / "r").string()) +
                 " --json --config " + shell_quote(scanless_config(d.path).string()));
    CHECK(r.status == 3);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["verdict"] == "quarantined");
    CHECK(j[0]["reason"]["code"] == "blocked.name");
    CHECK(j[1]["verdict"] == "released");
    // Only the clean file was released.
    auto out = files_in(d / "out");
    REQUIRE(out.size() == 1);
    CHECK(out[0].filename() == "ok.txt");
    // The original and its report are in quarantine.
    std::vector<fs::path> held;
    for (const auto& e : fs::directory_iterator(d / "q")) held.push_back(e.path());
    REQUIRE(held.size() == 1);
    CHECK(read_whole(held[0] / "original") == "MZ\x90\x00 program");
    CHECK(nlohmann::json::parse(read_whole(held[0] / "report.json"))["reason"]["code"] == "blocked.name");
    CHECK(files_in(d / "r").size() == 2);
}

TEST_CASE("cli sanitize: an existing output is never overwritten") {
    TempDir d;
    write_file(d / "in" / "a.txt", "new\n");
    write_file(d / "out" / "a.txt", "old\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "in" / "a.txt").string()) + " --out " +
                 shell_quote((d / "out").string()) + " --quarantine " + shell_quote((d / "q").string()) +
                 " --config " + shell_quote(scanless_config(d.path).string()));
    CHECK(r.status == 0);
    CHECK(read_whole(d / "out" / "a.txt") == "old\n");
    CHECK(read_whole(d / "out" / "a (2).txt") == "new\n");
}

TEST_CASE("cli: usage and configuration errors exit 2 with the file and line") {
    TempDir d;
    write_file(d / "a.txt", "x\n");
    CHECK(run(bin() + " sanitize --out " + shell_quote((d / "o").string())).status == 2);
    CHECK(run(bin() + " sanitize " + shell_quote((d / "a.txt").string())).status == 2);
    CHECK(run(bin() + " sanitize " + shell_quote((d / "missing").string()) + " --out x").status == 2);
    CHECK(run(bin() + " sanitize " + shell_quote((d / "a.txt").string()) + " --out x --bogus").status == 2);
    CHECK(run(bin() + " nosuchcommand").status == 2);
    write_file(d / "bad.toml", "[limits]\nmax_depth = 2\nmax_dpeth = 3\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "a.txt").string()) + " --out " +
                 shell_quote((d / "o").string()) + " --config " + shell_quote((d / "bad.toml").string()) + " 2>&1");
    CHECK(r.status == 2);
    CHECK(r.out.find("bad.toml:3: unknown key 'max_dpeth'") != std::string::npos);
    CHECK_FALSE(fs::exists(d / "o" / "a.txt"));
}

TEST_CASE("cli: an input over the size limit is held without being read") {
    TempDir d;
    write_file(d / "big.txt", std::string(2048, 'a'));
    write_file(d / "c.toml", "[scan]\nenabled = false\n[limits]\nmax_input_bytes = \"1KiB\"\n[paths]\nquarantine = \"" + (d / "q").string() + "\"\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "big.txt").string()) + " --out " +
                 shell_quote((d / "o").string()) + " --config " + shell_quote((d / "c.toml").string()) + " --json");
    CHECK(r.status == 3);
    CHECK(nlohmann::json::parse(r.out)[0]["reason"]["code"] == "limit.size");
    CHECK(files_in(d / "o").empty());
}

TEST_CASE("cli sanitize: a file name that is not UTF-8 is disarmed under a safe name (regression: the report threw)") {
    TempDir d;
    fs::path in = d / ("memo\x83\x65.txt");   // CP932 bytes, as an old client writes them
    write_file(in, "hello\n");
    auto r = run(bin() + " sanitize " + shell_quote(in.string()) + " --out " + shell_quote((d / "out").string()) +
                 " --quarantine " + shell_quote((d / "q").string()) + " --json --config " +
                 shell_quote(scanless_config(d.path).string()));
    CHECK(r.status == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j[0]["input"]["name"] == "memoテ.txt");   // read as CP932 (0x83 0x65), with a name.encoding finding
    auto out = files_in(d / "out");
    REQUIRE(out.size() == 1);
    CHECK(out[0].filename() == "memoテ.txt");
    CHECK(read_whole(out[0]) == "hello\n");
}

TEST_CASE("cli detect: type and name findings") {
    TempDir d;
    write_file(d / "invoice.pdf", "MZ\x90\x00 program");
    auto r = run(bin() + " detect " + shell_quote((d / "invoice.pdf").string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("invoice.pdf: exe") != std::string::npos);
}

TEST_CASE("cli: the shipped samples and default config behave as the README says") {
    TempDir d;
    auto src = source_dir();
    // The shipped configuration as it is, but for clamd's address: a private clamd of the test's own.
    ClamdServer clamd;
    if (clamd.address.empty()) MESSAGE("no clamd (" << clamd.why_not << "): the samples are checked with scanning off");
    write_file(d / "shipped.toml", shipped_config_with(clamd));
    auto r = run("cd " + shell_quote(src.string()) + " && " + bin() + " sanitize samples/* --config " +
                 shell_quote((d / "shipped.toml").string()) + " --out " + shell_quote((d / "out").string()) +
                 " --quarantine " + shell_quote((d / "q").string()) + " --json");
    CHECK(r.status == 3);
    auto j = nlohmann::json::parse(r.out);
    // Every sample but the disguised program comes out (released or disarmed: the PDF, docm, mail and zip
    // of tests/e2e/samples_test.cpp among them), one file each.
    const std::size_t samples = files_in(src / "samples").size();
    REQUIRE(samples >= 8);
    REQUIRE(j.size() == samples);
    std::size_t released = 0;
    for (const auto& item : j) {
        const std::string name = item["input"]["name"];
        CAPTURE(name);
        if (name == "請求書.pdf.exe") CHECK(item["verdict"] == "quarantined");
        else released += item["verdict"] != "quarantined";
    }
    CHECK(released == samples - 1);
    CHECK(files_in(d / "out").size() == samples - 1);
}

TEST_CASE("cli sanitize: with scanning on and no scanner answering, nothing is released (exit 1)") {
    TempDir d;
    write_file(d / "a.txt", "hello\n");
    write_file(d / "c.toml", "[scan]\nclamd = \"127.0.0.1:" + std::to_string(free_loopback_port()) + "\"\ntimeout_seconds = 5\n");
    auto r = run(bin() + " sanitize " + shell_quote((d / "a.txt").string()) + " --out " + shell_quote((d / "out").string()) +
                 " --quarantine " + shell_quote((d / "q").string()) + " --config " + shell_quote((d / "c.toml").string()) + " 2>&1");
    CHECK(r.status == 1);
    CHECK(r.out.find("malware scanner unavailable") != std::string::npos);
    CHECK(files_in(d / "out").empty());
}
