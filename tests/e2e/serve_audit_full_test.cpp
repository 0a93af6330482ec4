// A full disk under the audit log: no torn line, nothing released ahead of its verdict line beyond
// the jobs in flight, intake refused (LMTP 452, the share waits) and /healthz 503 while it lasts, and
// everything resumes by itself, exactly once, when space returns. With root the audit folder is a
// small tmpfs that really fills up; without, and in addition, the test build's fault injection makes
// every write to the log fail half-way through a line.
#include <doctest/doctest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "lmtp_client.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::string mail_from_reply(unsigned short port) {
    RawClient c(port);
    c.reply();
    c.send("LHLO x\r\n");
    c.reply();
    c.send("MAIL FROM:<a@example.jp>\r\n");
    return c.reply();
}

// Verdict lines per job; every line must be whole JSON.
std::map<std::string, int> verdicts(const fs::path& log) {
    std::map<std::string, int> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);   // throws on a torn or damaged line: the test fails
        if (j["action"] == "item.verdict") out[j["detail"]["job"].get<std::string>()]++;
    }
    return out;
}

void run_full_disk(ServiceProcess& s, const std::function<void()>& fill, const std::function<void()>& make_room) {
    s.start();
    drop(s.path("in/総務課"), "before.txt", "recorded while there is room\n");
    REQUIRE(wait_for([&] { return verdicts(s.path("audit/audit.log")).size() == 1; }));

    fill();
    drop(s.path("in/総務課"), "during-1.txt", "processed while the audit log is full\n");
    drop(s.path("in/財政課"), "during-2.txt", "processed while the audit log is full\n");
    REQUIRE(wait_for([&] { return s.current_log().find("audit log: ") != std::string::npos; }));
    // While it lasts: 503 with the reason, mail deferred with 452, the share waits.
    REQUIRE(wait_for([&] { return mail_from_reply(s.lmtp_port()).starts_with("452 4.3.1"); }));
    CHECK(s.http_get("/healthz").empty());   // 503 (the helper prints nothing for an error status)
    CHECK(run("python3 -c \"import urllib.request,urllib.error\ntry: urllib.request.urlopen('http://127.0.0.1:" +
              std::to_string(s.http_port()) + "/healthz')\nexcept urllib.error.HTTPError as e: print(e.code, e.read().decode())\"")
              .out.find("503 audit log") != std::string::npos);
    drop(s.path("in/総務課"), "waiting.txt", "taken once the audit log can be written\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));   // two rescans: it would have been taken
    CHECK(fs::exists(s.path("in/総務課/waiting.txt")));
    // No torn line at any time, and the chain verifies.
    verdicts(s.path("audit/audit.log"));
    CHECK(run(shell_quote(mugaika_binary().string()) + " audit verify " + shell_quote(s.path("audit/audit.log").string()) +
              " >/dev/null").status == 0);

    make_room();
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 4; }, std::chrono::seconds(120)));
    REQUIRE(wait_for([&] { return s.http_get("/healthz") == "ok\n"; }));
    CHECK(mail_from_reply(s.lmtp_port()).starts_with("250 "));
    CHECK(s.term() == 0);

    // Exactly once: one verdict line per job, every file released once, nothing left in the spool.
    auto v = verdicts(s.path("audit/audit.log"));
    CHECK(v.size() == 4);
    for (const auto& [job, n] : v) CHECK_MESSAGE(n == 1, job);
    CHECK(visible_files(s.path("out")).size() == 4);
    CHECK(count_entries(s.path("spool/active")) + count_entries(s.path("spool/incoming")) == 0);
    CHECK(read_whole(s.path("audit/audit.log")).find("audit.repaired") == std::string::npos);
    auto r = run(shell_quote(mugaika_binary().string()) + " audit verify " + shell_quote(s.path("audit/audit.log").string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("behind") == std::string::npos);   // the head caught up
}

}  // namespace

TEST_CASE("serve: a full disk under the audit log (a small tmpfs): no torn line, intake waits, exact recovery") {
    ServiceProcess s("[worker]\ncount = 1\n");
    fs::path audit = s.path("audit");
    fs::create_directories(audit);
    if (::geteuid() != 0 || ::mount("tmpfs", audit.c_str(), "tmpfs", 0, "size=256k") != 0) {
        MESSAGE("skipped: cannot mount a small tmpfs here (needs root); the injected-fault variant runs instead");
        return;
    }
    struct Unmount {
        fs::path p;
        ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } unmount{audit};
    fs::path filler = audit / "filler";
    run_full_disk(
        s,
        [&] {
            // Fill every free block: the next line may still fit the log's last page, its head cannot.
            std::ofstream out(filler, std::ios::binary);
            std::string block(4096, 'x');
            while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
            }
        },
        [&] { fs::remove(filler); });
}

TEST_CASE("serve: every audit write failing half-way (injected): the log is cut back, intake waits, exact recovery") {
    TempDir faults;
    fs::path file = faults.path / "faults";
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ::setenv("MUGAIKA_TEST_FAULTS", file.c_str(), 1);
    ServiceProcess s("[worker]\ncount = 1\n");
    struct Env {
        ~Env() {
            ::unsetenv("MUGAIKA_TEST_HOOKS");
            ::unsetenv("MUGAIKA_TEST_FAULTS");
        }
    } env;
    run_full_disk(
        s, [&] { write_file(file, "audit.write=ENOSPC\n"); }, [&] { fs::remove(file); });
}
