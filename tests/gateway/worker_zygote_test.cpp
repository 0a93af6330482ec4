// The worker zygote (gateway/worker/zygote.hpp): workers are forked from one pre-loaded process instead
// of exec'd one by one. Checked from outside, as an auditor would: the zygote holds nothing and never
// sees an item, each forked worker is confined in namespaces of its own and is the service's child,
// and a zygote that dies or has forked its budget is replaced without losing an item.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "worker/isolated.hpp"
#include "worker_support.hpp"
#include "worker/job_runner.hpp"
#include "worker/worker_pool.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

WorkerLimits quick() { return limits_within(std::chrono::seconds(20), 20); }

// The zygote for `limits`, once the pool's thread has it running (0: none within 20 s).
pid_t wait_for_zygote(pid_t other_than = 0, const WorkerLimits& limits = quick()) {
    for (int i = 0; i < 400; ++i) {
        // An item makes these limits the pool's current ones; its thread then starts the zygote.
        (void)process_isolated(default_engine(), "plain text\n", "a.txt", limits);
        pid_t z = WorkerPool::shared().zygote_pid();
        if (z > 0 && z != other_than) {
            // Spares made before it was ready were exec'd: use them up, so that the next worker is forked.
            for (int spare = 0; spare < 4; ++spare) (void)process_isolated(default_engine(), "plain text\n", "a.txt", limits);
            return z;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
}

std::vector<std::string> cmdline(pid_t pid) {
    std::string raw = read_whole("/proc/" + std::to_string(pid) + "/cmdline");
    std::vector<std::string> args;
    std::istringstream in(raw);
    for (std::string a; std::getline(in, a, '\0');) args.push_back(a);
    return args;
}

bool forked_by_zygote(pid_t pid) {
    auto args = cmdline(pid);   // a forked copy keeps the zygote's command line
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--zygote" && args[i + 1] == "1") return true;
    return false;
}

pid_t parent_of(pid_t pid) {
    std::string stat = read_whole("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 2));
    std::string state;
    pid_t ppid = -1;
    in >> state >> ppid;
    return ppid;
}

// Whether `needle` is anywhere in the readable memory of `pid` (/proc/PID/maps and /proc/PID/mem).
bool memory_holds(pid_t pid, const std::string& needle) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::ifstream mem("/proc/" + std::to_string(pid) + "/mem", std::ios::binary);
    REQUIRE(mem.good());
    for (std::string line; std::getline(maps, line);) {
        std::istringstream in(line);
        std::string range, perms;
        in >> range >> perms;
        if (perms.empty() || perms[0] != 'r' || line.find("[vvar]") != std::string::npos) continue;
        std::uint64_t from = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
        std::uint64_t to = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
        if (to - from > (1ull << 30)) continue;
        std::string bytes(to - from, '\0');
        mem.clear();
        mem.seekg(static_cast<std::streamoff>(from));
        mem.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, mem.gcount())));
        if (bytes.find(needle) != std::string::npos) return true;
    }
    return false;
}

std::future<RunReport> hang() {
    return std::async(std::launch::async, [] {
        return run_job(default_engine(), "wait\n", "mugaika-test-hang-zygote.txt", quick(), 0, nullptr);
    });
}

}  // namespace

TEST_CASE("worker zygote: one pre-loaded process, holding nothing, forks the workers") {
    pid_t z = wait_for_zygote();
    REQUIRE(z > 0);
    fs::path proc = "/proc/" + std::to_string(z);
    CHECK(read_whole(proc / "environ").empty());
    std::vector<std::string> fds;
    for (const auto& e : fs::directory_iterator(proc / "fd")) fds.push_back(e.path().filename().string());
    std::sort(fds.begin(), fds.end());
#ifdef MUGAIKA_SANITIZE
    // Sanitizer builds keep stderr for ASan's and UBSan's reports (sandbox/spawn.cpp), as for a worker.
    CHECK((fds == std::vector<std::string>{"3"} || fds == std::vector<std::string>{"2", "3"}));
#else
    CHECK(fds == std::vector<std::string>{"3"});   // its control socket, nothing of the service's
#endif
    CHECK(fs::read_symlink(proc / "fd" / "3").string().rfind("socket:", 0) == 0);
    CHECK(fs::read_symlink(proc / "exe").filename() == "mugaika-worker");
    CHECK(forked_by_zygote(z));

    // A forked worker: confined from outside, in namespaces of its own (not the zygote's, not ours,
    // not another worker's), and our own child, so that we wait for it and read how it ended.
    Hooks hooks;
    auto first = hang();
    pid_t a = busy_worker(first);
    REQUIRE(a > 0);
    auto second = hang();
    pid_t b = busy_worker(second, a);
    REQUIRE(b > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (pid_t w : {a, b}) {
        CAPTURE(w);
        CHECK(forked_by_zygote(w));
        CHECK(parent_of(w) == ::getpid());
        check_confined_from_outside(w);
        fs::path wp = "/proc/" + std::to_string(w);
        for (const char* ns : {"user", "mnt", "pid", "ipc", "uts", "net", "cgroup"}) {
            CAPTURE(ns);
            CHECK(fs::read_symlink(wp / "ns" / ns) != fs::read_symlink(proc / "ns" / ns));   // not the zygote's
        }
    }
    for (const char* ns : {"user", "mnt", "pid", "net"}) {
        CAPTURE(ns);
        CHECK(fs::read_symlink(fs::path("/proc") / std::to_string(a) / "ns" / ns) !=
              fs::read_symlink(fs::path("/proc") / std::to_string(b) / "ns" / ns));
    }
    ::kill(a, SIGKILL);
    ::kill(b, SIGKILL);
    // Killed by us: the verdict is the worker's death, classified from its exit status as ever.
    for (auto* f : {&first, &second}) {
        RunReport r = f->get();
        CHECK(r.outcome.verdict == Verdict::quarantined);
    }
}

TEST_CASE("worker zygote: a forked worker reports every layer on and the C library knows its own thread") {
    REQUIRE(wait_for_zygote() > 0);
    SandboxCheck c = check_sandbox(quick());
    auto j = nlohmann::json::parse(c.report_json);
    for (const auto& layer : j["layers"]) {
        CAPTURE(layer.dump());
        CHECK(layer["on"] == true);
    }
    CHECK(j["pid"] == 1);
    CHECK(j["libc_thread_id"] == "current");   // not the zygote's, left stale by a raw clone3
    CHECK(j["started"] == "forked by the zygote");
    CHECK(j["open_fds"].size() >= 1);
}

TEST_CASE("worker zygote: no byte of an item ever reaches the zygote") {
    pid_t z = wait_for_zygote();
    REQUIRE(z > 0);
    std::mt19937_64 rng(std::random_device{}());
    std::string marker = "ZYGOTE-MARKER-" + std::to_string(rng()) + "-" + std::to_string(rng());
    std::string item = "text with a marker " + marker + "\n";
    for (const char* name : {"a.txt", "b.csv", "c.eml"}) {
        Outcome o = process_isolated(default_engine(), item, name, quick());
        CHECK(o.detected_type != "unknown");   // a worker read it (the parent never parses an item)
    }
    REQUIRE(WorkerPool::shared().zygote_pid() == z);
    CHECK(memory_holds(z, "--zygote"));   // the scan does find what is there (its own command line)
    CHECK_FALSE(memory_holds(z, marker));
}

TEST_CASE("worker zygote: a killed zygote is replaced and no item is lost meanwhile") {
    pid_t z = wait_for_zygote();
    REQUIRE(z > 0);
    REQUIRE(::kill(z, SIGKILL) == 0);
    for (int i = 0; i < 5; ++i) {
        Outcome o = process_isolated(default_engine(), "line " + std::to_string(i) + "\n", "after-kill.txt", quick());
        CHECK(o.verdict == Verdict::released);   // plain text, examined in a worker
    }
    pid_t next = wait_for_zygote(z);
    CHECK(next > 0);
    CHECK(next != z);
}

TEST_CASE("worker zygote: replaced after its budget of workers (a fresh address-space layout)") {
    pid_t z = wait_for_zygote();
    REQUIRE(z > 0);
    WorkerPool::shared().set_zygote_budget(3);
    pid_t next = wait_for_zygote(z);
    WorkerPool::shared().set_zygote_budget(256);
    CHECK(next > 0);
    CHECK(next != z);
    // The old one is gone (reaped by the pool), not left behind.
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        gone = !fs::exists("/proc/" + std::to_string(z)) ||
               read_whole("/proc/" + std::to_string(z) + "/stat").find(") Z") != std::string::npos;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(gone);
}

TEST_CASE("worker zygote: degraded isolation forks workers that still confine themselves") {
    Hooks hooks;
    WorkerLimits l = quick();
    l.isolation = WorkerIsolation::degraded;
    pid_t z = wait_for_zygote(0, l);
    REQUIRE(z > 0);
    Outcome open = process_isolated(default_engine(), "/etc/passwd\n", "mugaika-test-hostile-open.txt", l);
    CHECK(open.verdict == Verdict::quarantined);
    CHECK(open.reason_detail.find("/etc/passwd: EACCES") != std::string::npos);   // Landlock
    auto j = nlohmann::json::parse(check_sandbox(l).report_json);
    CHECK(j["isolation"] == "degraded");
    CHECK(j["seccomp_mode"] == 2);
    CHECK(j["no_new_privs"] == 1);
    CHECK(j["libc_thread_id"] == "current");
    auto f = std::async(std::launch::async, [&] {
        return run_job(default_engine(), "wait\n", "mugaika-test-hang-degraded.txt", l, 0, nullptr);
    });
    pid_t w = busy_worker(f);
    REQUIRE(w > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(forked_by_zygote(w));
    CHECK(parent_of(w) == ::getpid());
    std::string status = read_whole("/proc/" + std::to_string(w) + "/status");
    CHECK(status.find("Seccomp:\t2") != std::string::npos);
    CHECK(status.find("NoNewPrivs:\t1") != std::string::npos);
    ::kill(w, SIGKILL);
    CHECK(f.get().outcome.verdict == Verdict::quarantined);
}
