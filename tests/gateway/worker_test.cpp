// The sandboxed worker, driven through the same calls the service and the commands use. Faults and
// hostile code run inside the real worker (test hooks, compiled into test builds only).
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/report.hpp"
#include "worker/isolated.hpp"
#include "../sanitizers/pdf_support.hpp"
#include "worker_support.hpp"
#include "worker/job_runner.hpp"
#include "worker/worker_pool.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

WorkerLimits quick() { return limits_within(std::chrono::seconds(5), 5); }

RunReport run(std::string_view bytes, std::string_view name, const WorkerLimits& l = quick(), unsigned retries = 1) {
    return run_job(default_engine(), bytes, name, l, retries, nullptr);
}

}  // namespace

TEST_CASE("worker: the engine runs in a sandboxed worker and its outcome is decoded") {
    Outcome o = process_isolated(default_engine(), "a\x01" "b\n", "a.txt", quick());
    CHECK(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == "ab\n");
    CHECK(o.detected_type == "text");
}

TEST_CASE("worker: the policy in force travels with each job (a reload reaches pre-spawned workers)") {
    Policy strict = Policy::defaults();
    strict.actions["text"] = TypeAction::block;
    Engine blocking(builtin_registry(), strict);
    CHECK(process_isolated(default_engine(), "plain\n", "a.txt", quick()).verdict == Verdict::released);
    Outcome o = process_isolated(blocking, "plain\n", "a.txt", quick());
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "blocked.type");
}

TEST_CASE("worker: secrets reach the worker over its channel and never come back in the outcome") {
    const std::string password = "worker-pw-5150";
    std::string zip = mugaika::test::make_encrypted_zip({{"a.txt", "inside\n"}}, password, "aes256");
    Outcome locked = process_isolated(default_engine(), zip, "a.zip", quick());
    CHECK(locked.reason == "encrypted");
    Outcome opened = process_isolated(default_engine(), zip, "a.zip", quick(), ItemSecrets{{password}});
    CHECK(opened.verdict == Verdict::disarmed);
    REQUIRE(opened.outputs.size() == 1);
    CHECK(opened.outputs[0].type == "zip");
    CHECK(encode_outcome(opened).find(password) == std::string::npos);
}

TEST_CASE("worker: a crash is worker.crash and retried, a hang is limit.time and not retried") {
    Hooks hooks;
    RunReport crash = run("crash me\n", "mugaika-test-crash.txt");
    CHECK(crash.outcome.reason == "worker.crash");
    CHECK(crash.failures == 2);   // a crash is worth one more worker
    WorkerLimits l = quick();
    l.wall = std::chrono::milliseconds(1500);
    RunReport hang = run("hang me\n", "mugaika-test-hang.txt", l);
    CHECK(hang.outcome.reason == "limit.time");
    CHECK(hang.failures == 1);    // an exhausted time budget would only be exhausted again
    CHECK(hang.outcome.reason_detail.find("wall-clock") != std::string::npos);
    CHECK(process_isolated(default_engine(), "still fine\n", "a.txt", quick()).verdict == Verdict::released);
}

TEST_CASE("worker: exhausting its CPU budget is limit.time, not retried") {
    Hooks hooks;
    WorkerLimits l = quick();
    l.cpu_seconds = 1;
    l.wall = std::chrono::milliseconds(60000);   // one CPU second can take many wall seconds on a loaded machine
    RunReport r = run("spin\n", "mugaika-test-cpu.txt", l);
    CHECK(r.outcome.reason == "limit.time");
    CHECK(r.outcome.reason_detail.find("CPU") != std::string::npos);
    CHECK(r.failures == 1);
}

TEST_CASE("worker: running out of memory is limit.memory, not limit.time, and not retried") {
    Hooks hooks;
#ifndef MUGAIKA_SANITIZE   // ASan ignores RLIMIT_AS (it reserves terabytes): no bad_alloc to see
    WorkerLimits l = quick();
    l.address_space_bytes = 384ull << 20;
    l.wall = std::chrono::milliseconds(60000);   // filling memory on a loaded machine takes its time
    RunReport r = run("eat\n", "mugaika-test-oom.txt", l);
    CAPTURE(r.outcome.reason_detail);
    CHECK(r.outcome.reason == "limit.memory");
    CHECK(r.failures == 1);
#endif
    // The kernel's OOM killer (or a cgroup's) sends SIGKILL that the parent did not send: memory.
    WorkerLimits hang = quick();
    hang.wall = std::chrono::milliseconds(30000);
    auto f = std::async(std::launch::async, [&] { return run("wait\n", "mugaika-test-hang-oomkill.txt", hang); });
    pid_t pid = busy_worker(f);
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    RunReport killed = f.get();
    CHECK(killed.outcome.reason == "limit.memory");
    CHECK(killed.outcome.reason_detail.find("out of memory") != std::string::npos);
    CHECK(killed.failures == 1);
}

TEST_CASE("worker: a result over the limit is refused") {
    WorkerLimits l = quick();
    l.max_result_bytes = 1000;
    Outcome o = process_isolated(default_engine(), std::string(5000, 'x') + "\n", "big.txt", l);
    CHECK(o.reason == "limit.size");
}

TEST_CASE("worker: a forbidden system call kills the worker and is named") {
    Hooks hooks;
    struct Case {
        const char* name;
        const char* content;
        const char* syscall;
    };
    for (const Case& c : {Case{"mugaika-test-hostile-tcp.txt", "10025", "socket"},
                          Case{"mugaika-test-hostile-exec.txt", "", "execve"},
                          Case{"mugaika-test-hostile-fork.txt", "", "clone"},
                          Case{"mugaika-test-hostile-write.txt", "/tmp/mugaika-sandbox-escape", "openat"}}) {
        CAPTURE(c.name);
        RunReport r = run(c.content, c.name);
        CHECK(r.outcome.reason == "worker.crash");
        CHECK(r.outcome.reason_detail.find(std::string("forbidden system call: ") + c.syscall) != std::string::npos);
        CHECK(r.failures == 1);   // a policy decision, not bad luck: never retried
    }
    CHECK_FALSE(fs::exists("/tmp/mugaika-sandbox-escape"));
}

TEST_CASE("worker: output names chosen by a compromised worker are refused, in every variant") {
    Hooks hooks;
    const std::string long_name = std::string(300, 'a') + ".txt";
    for (std::string name : {std::string("../escape.txt"), std::string("/etc/cron.d/x"), std::string("a/b.txt"),
                             std::string(".."), std::string("."), std::string(""), std::string("a\\b.txt"),
                             std::string("evil.exe"), std::string("report\xe2\x80\xae" "fdp.exe"), std::string("CON"),
                             std::string("a\nb.txt"), std::string("x\0y.txt", 7), long_name,
                             std::string("trailing.txt "), std::string(".hidden")}) {
        CAPTURE(name);
        Outcome o = process_isolated(default_engine(), name, "mugaika-test-badname.txt", quick());
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == "worker.crash");
        CHECK(o.reason_detail.find("worker result refused") != std::string::npos);
        CHECK(o.outputs.empty());
    }
    // The same worker with a plain name: believed (the check is not refusing everything).
    Outcome ok = process_isolated(default_engine(), "plain.txt", "mugaika-test-badname.txt", quick());
    CHECK(ok.verdict == Verdict::disarmed);
    REQUIRE(ok.outputs.size() == 1);
    CHECK(ok.outputs[0].name == "plain.txt");
}

TEST_CASE("worker: hostile code inside the worker reaches nothing outside it") {
    Hooks hooks;
    fs::path dir = fs::temp_directory_path() / ("mugaika-hostile-" + std::to_string(::getpid()));
    fs::create_directories(dir / "keys");
    { std::ofstream(dir / "keys" / "quarantine.key") << "secret key bytes"; }
    std::string paths = (dir / "keys" / "quarantine.key").string() + "\n" + dir.string() + "\n/etc/passwd\n/etc/hostname\n" +
                        "/proc/" + std::to_string(::getpid()) + "/environ\n/proc/" + std::to_string(::getpid()) +
                        "/mem\n/proc/self/fd\n/proc/1/environ\n/root\n/work\n/tmp\n/var/lib\n/dev/null\n/sys/kernel\n";
    Outcome open = process_isolated(default_engine(), paths, "mugaika-test-hostile-open.txt", quick());
    CHECK(open.verdict == Verdict::quarantined);
    CHECK(open.reason_detail.find("OPENED") == std::string::npos);
    CHECK(open.reason_detail.find("quarantine.key: ENOENT") != std::string::npos);

    Outcome fds = process_isolated(default_engine(), "", "mugaika-test-hostile-fds.txt", quick());
    CHECK(fds.verdict == Verdict::quarantined);   // only the channel, and no /proc to list
    CHECK(fds.reason_detail.find("/proc/self/fd: ENOENT") != std::string::npos);

    for (const char* action : {"unix", "ptrace", "kill"}) {
        CAPTURE(action);
        std::string arg = std::string(action) == "unix" ? "/run/systemd/journal/socket" : std::to_string(::getpid());
        Outcome o = process_isolated(default_engine(), arg, std::string("mugaika-test-hostile-") + action + ".txt", quick());
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == "worker.crash");
        CHECK(o.reason_detail.find("forbidden system call") != std::string::npos);
    }
    fs::remove_all(dir);
}

TEST_CASE("worker: the selftest reports every layer on, and the worker sees only itself") {
    SandboxCheck c = check_sandbox(quick());
    auto j = nlohmann::json::parse(c.report_json);
    CHECK(j["isolation"] == "sandbox");
    for (const auto& layer : j["layers"]) {
        CAPTURE(layer.dump());
        CHECK(layer["on"] == true);
    }
    CHECK(j["pid"] == 1);               // the first process of its own PID namespace
    CHECK(j["seccomp_mode"] == 2);      // SECCOMP_MODE_FILTER
    CHECK(j["no_new_privs"] == 1);
    CHECK(j["dumpable"] == 0);
#ifdef MUGAIKA_SANITIZE
    CHECK((j["open_fds"] == nlohmann::json::array({3}) || j["open_fds"] == nlohmann::json::array({2, 3})));
#else
    CHECK(j["open_fds"] == nlohmann::json::array({3}));
#endif
    CHECK(j["files"]["/etc/passwd"] != "readable");
    CHECK(j["files"]["/proc/self/status"] != "readable");
    CHECK(j["files"]["/etc/fonts/fonts.conf"] == "readable");   // what the parsers need is there
    CHECK(j["time_zone"] == "UTC");     // zip times written the same on any host (worker_main.cpp)
}

TEST_CASE("worker: seen from outside, a busy worker is confined") {
    Hooks hooks;
    auto f = std::async(std::launch::async, [&] {
        WorkerLimits l = quick();
        l.wall = std::chrono::milliseconds(20000);
        return run("wait\n", "mugaika-test-hang-outside.txt", l);
    });
    pid_t pid = busy_worker(f);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // past its hello: confined
    check_confined_from_outside(pid);
    ::kill(pid, SIGKILL);
    (void)f.get();
}

TEST_CASE("worker: degraded isolation still confines (Landlock, seccomp) without namespaces") {
    Hooks hooks;
    WorkerLimits l = quick();
    l.isolation = WorkerIsolation::degraded;
    CHECK(process_isolated(default_engine(), "a\x01" "b\n", "a.txt", l).verdict == Verdict::disarmed);
    Outcome open = process_isolated(default_engine(), "/etc/passwd\n/etc/hostname\n", "mugaika-test-hostile-open.txt", l);
    CHECK(open.verdict == Verdict::quarantined);
    CHECK(open.reason_detail.find("/etc/passwd: EACCES") != std::string::npos);
    Outcome tcp = process_isolated(default_engine(), "10025", "mugaika-test-hostile-tcp.txt", l);
    CHECK(tcp.reason_detail.find("forbidden system call: socket") != std::string::npos);
    auto j = nlohmann::json::parse(check_sandbox(l).report_json);
    CHECK(j["isolation"] == "degraded");
    for (const auto& layer : j["layers"])
        if (layer["name"] == "netns" || layer["name"] == "root") CHECK(layer["on"] == false);
}

TEST_CASE("worker: a sandbox that cannot be entered means no item is taken (internal)") {
    WorkerLimits l = quick();
    l.profile = "no-such-profile";
    Outcome o = process_isolated(default_engine(), "plain\n", "a.txt", l);
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "internal");
    CHECK(o.reason_detail.find("sandbox could not be entered") != std::string::npos);
}

TEST_CASE("worker: a converter runs inside the worker's sandbox under its own stacked profile") {
    Hooks hooks;
    WorkerLimits l = quick();
    l.profile = "converter-host";
    l.programs = {"/usr/bin/tr"};
    Outcome o = process_isolated(default_engine(), "/usr/bin/tr\n", "mugaika-test-converter.txt", l);
    CAPTURE(o.reason_detail);
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(o.outputs[0].bytes == "CONVERTED BY A SANDBOXED CONVERTER\n");
    // A program the profile does not list cannot be executed (Landlock), even though it is visible.
    Outcome other = process_isolated(default_engine(), "/usr/bin/base64\n", "mugaika-test-converter.txt", l);
    CHECK(other.verdict == Verdict::quarantined);
    CHECK(other.reason_detail.find("ended with exit 127") != std::string::npos);
}

TEST_CASE("worker: output names are checked as a plain, safe file name") {
    CHECK(is_safe_output_name("report.pdf"));
    CHECK(is_safe_output_name("請求書.pdf"));
    CHECK_FALSE(is_safe_output_name(""));
    CHECK_FALSE(is_safe_output_name("../x"));
    CHECK_FALSE(is_safe_output_name("/etc/x"));
    CHECK_FALSE(is_safe_output_name("x.exe"));
    CHECK_FALSE(is_safe_output_name(std::string("a\0b", 3)));
}

namespace {

// A PDF whose Japanese font is not embedded (Adobe-Japan1, Identity-H, a ToUnicode map): poppler draws
// it with the system's substitute (Debian: fonts-japanese-gothic.ttf, a link through /etc/alternatives).
std::string pdf_with_unembedded_japanese_font() {
    const std::string text = "<0F3A0F3B>";   // two CIDs, mapped to 日本 below
    std::string cmap =
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def "
        "/CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar "
        "<0F3A> <65E5> <0F3B> <672C> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end";
    std::string content = "BT /F1 48 Tf 50 100 Td " + text + " Tj ET";
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /MS-Gothic /Encoding /Identity-H /DescendantFonts [6 0 R] "
        "/ToUnicode 7 0 R >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MS-Gothic /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (Japan1) /Supplement 6 >> /FontDescriptor 8 0 R /DW 1000 >>",
        "<< /Length " + std::to_string(cmap.size()) + " >>\nstream\n" + cmap + "\nendstream",
        "<< /Type /FontDescriptor /FontName /MS-Gothic /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 "
        "/Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    };
    return pdf::build(objects, "%PDF-1.4");
}

}  // namespace

TEST_CASE("worker: a PDF whose Japanese font is not embedded is drawn inside the sandbox with the system's") {
    Outcome o = process_isolated(default_engine(), pdf_with_unembedded_japanese_font(), "日本.pdf", quick());
    CAPTURE(o.reason_detail);
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    mugaika::test::TempDir t;
    mugaika::test::write_file(t / "out.pdf", o.outputs[0].bytes);
    auto r = mugaika::test::run("pdftotext -enc UTF-8 " + (t / "out.pdf").string() + " - 2>&1");
    CHECK(r.out.find("日本") != std::string::npos);
}
