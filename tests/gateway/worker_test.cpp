#include <doctest/doctest.h>

#include <csignal>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/report.hpp"
#include "worker/isolated.hpp"

using namespace mugaika;

namespace {
WorkerLimits quick() {
    WorkerLimits l;
    l.wall = std::chrono::milliseconds(2000);
    l.cpu_seconds = 5;
    return l;
}
}  // namespace

TEST_CASE("worker: the child's result comes back") {
    CHECK(run_isolated([] { return std::string("result bytes"); }, quick()) == "result bytes");
}

TEST_CASE("worker: a crash becomes worker.crash, a hang limit.time, and the parent lives on") {
    try {
        run_isolated([]() -> std::string { std::raise(SIGSEGV); return ""; }, quick());
        FAIL("no failure reported");
    } catch (const WorkerFailure& e) {
        CHECK(e.code() == "worker.crash");
    }
    try {
        run_isolated([]() -> std::string { std::this_thread::sleep_for(std::chrono::seconds(30)); return ""; }, quick());
        FAIL("no failure reported");
    } catch (const WorkerFailure& e) {
        CHECK(e.code() == "limit.time");
    }
    try {
        run_isolated([]() -> std::string { throw std::runtime_error("boom"); }, quick());
        FAIL("no failure reported");
    } catch (const WorkerFailure& e) {
        CHECK(e.code() == "worker.crash");
    }
    CHECK(run_isolated([] { return std::string("still fine"); }, quick()) == "still fine");
}

TEST_CASE("worker: a result over the limit is refused") {
    WorkerLimits l = quick();
    l.max_result_bytes = 1000;
    CHECK_THROWS_AS(run_isolated([] { return std::string(5000, 'x'); }, l), WorkerFailure);
}

TEST_CASE("worker: the engine runs in the child and its outcome is decoded") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = process_isolated(e, "a\x01" "b\n", "a.txt", quick());
    CHECK(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == "ab\n");
}

TEST_CASE("worker: the child has no network") {
    // Only meaningful where we may create a network namespace (root in CI and here).
    std::string r = run_isolated(
        [] {
            FILE* f = fopen("/proc/net/dev", "r");
            std::string s;
            char buf[512];
            while (f && fgets(buf, sizeof buf, f)) s += buf;
            if (f) fclose(f);
            return s;
        },
        quick());
    if (geteuid() != 0) return;
    // /proc/net/dev: two header lines, then one line per interface ("  name: counters").
    std::vector<std::string> interfaces;
    std::istringstream lines(r);
    std::string line;
    for (int n = 0; std::getline(lines, line); ++n)
        if (n >= 2) interfaces.push_back(line.substr(line.find_first_not_of(' '), line.find(':') - line.find_first_not_of(' ')));
    CHECK(interfaces == std::vector<std::string>{"lo"});   // only the (down) loopback of a fresh namespace
}

TEST_CASE("worker: secrets reach the child in memory and never come back in the outcome") {
    Engine e(builtin_registry(), Policy::defaults());
    const std::string password = "worker-pw-5150";
    std::string zip = mugaika::test::make_encrypted_zip({{"a.txt", "inside\n"}}, password, "aes256");
    Outcome locked = process_isolated(e, zip, "a.zip", quick());
    CHECK(locked.reason == "encrypted");
    Outcome opened = process_isolated(e, zip, "a.zip", quick(), ItemSecrets{{password}});
    CHECK(opened.verdict == Verdict::disarmed);
    REQUIRE(opened.outputs.size() == 1);
    CHECK(opened.outputs[0].type == "zip");
    CHECK(encode_outcome(opened).find(password) == std::string::npos);
}
