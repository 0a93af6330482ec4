// The service with malware scanning on, against a private clamd: EICAR dropped into the share is held
// with reason "malware"; while the scanner is gone nothing is released (the file waits in the spool and
// /healthz says why); once it is back, the waiting file comes out.
#include <doctest/doctest.h>

#include "clamd_server.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

TEST_CASE("serve: malware is held, and nothing is released while the scanner is away") {
    ClamdServer clamd;
    if (clamd.address.empty()) {
        MESSAGE("skipped: " << clamd.why_not);
        return;
    }
    ServiceProcess s("[scan]\nenabled = true\nclamd = \"" + clamd.unix_address + "\"\ntimeout_seconds = 10\n");
    s.start();
    drop(s.path("in/総務課"), "eicar.txt", eicar() + "\n");
    drop(s.path("in/総務課"), "memo.txt", "会議のメモ\n");
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 2; }));
    CHECK(visible_files(s.path("out/総務課")).size() == 1);
    CHECK(read_whole(s.path("out/総務課/memo.txt")) == "会議のメモ\n");
    auto held = s.held_items();
    REQUIRE(held.size() == 1);
    CHECK(held[0].name == "eicar.txt");
    CHECK(held[0].reason == "malware");
    CHECK(s.http_get("/metrics").find("mugaika_scan_total{result=\"infected\"} 1") != std::string::npos);

    // The scanner goes away: new files are accepted but wait, and the service says why.
    clamd.stop();
    drop(s.path("in/財政課"), "budget.txt", "予算案\n");
    REQUIRE(wait_for([&] { return s.current_log().find("malware scanner unavailable") != std::string::npos; }));
    drop(s.path("in/財政課"), "later1.txt", "後から1\n");
    drop(s.path("in/総務課"), "later2.txt", "後から2\n");
    REQUIRE(wait_for([&] { return count_entries(s.path("spool/active")) == 3; }));
    CHECK_FALSE(fs::exists(s.path("out/財政課/budget.txt")));
    CHECK(count_entries(s.path("reports")) == 2);
    CHECK(s.http_get("/healthz").empty());   // 503: urllib raises, the helper prints nothing
    // Back again: the waiting files go on together as soon as clamd answers a probe, not each after a
    // backoff of its own (which grew to minutes).
    REQUIRE(clamd.start());
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 5; }, std::chrono::seconds(120)));
    CHECK(read_whole(s.path("out/財政課/budget.txt")) == "予算案\n");
    CHECK(fs::exists(s.path("out/財政課/later1.txt")));
    CHECK(fs::exists(s.path("out/総務課/later2.txt")));
    std::string log = s.current_log();
    CHECK(log.find("malware scanner: available again; 3 waiting job(s) go on") != std::string::npos);
    CHECK(log.find("retry in") == std::string::npos);   // no job waited out a backoff of its own
    CHECK(s.held_items().size() == 1);
    CHECK(s.http_get("/healthz") == "ok\n");
    CHECK(s.term() == 0);
}
