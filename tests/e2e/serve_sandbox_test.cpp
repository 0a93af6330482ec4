// The sandbox with the real service: hostile code inside real workers (test hooks) tries to reach what
// the service holds, and every attempt fails, every item is held and the service keeps running; the
// quarantine's key is nowhere in a worker's memory; a kernel without user namespaces stops the service
// unless the site chose "degraded"; a worker that names its output outside the drop folder is refused.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <fstream>
#include <map>

#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::string metric(const std::string& text, const std::string& name) {
    auto p = text.find("\n" + name + " ");
    if (p == std::string::npos) return "";
    p += name.size() + 2;
    return text.substr(p, text.find('\n', p) - p);
}

std::map<std::string, nlohmann::json> reports_by_name(const ServiceProcess& s) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& [r, original] : s.held_reports()) out[r["job"]["name"].get<std::string>()] = r;
    return out;
}

// Every readable region of a process's memory, searched for `needle` (as root, through /proc).
bool memory_contains(pid_t pid, const std::string& needle) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(mem >= 0);
    bool found = false;
    for (std::string line; !found && std::getline(maps, line);) {
        unsigned long start = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r') continue;
        if (line.find("[vvar") != std::string::npos || line.find("[vsyscall]") != std::string::npos) continue;
        std::string region(end - start, '\0');
        ssize_t n = ::pread(mem, region.data(), region.size(), static_cast<off_t>(start));
        if (n > 0) found = std::string_view(region.data(), static_cast<std::size_t>(n)).find(needle) != std::string_view::npos;
    }
    ::close(mem);
    return found;
}

std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> out;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::ifstream c(task.path() / "children");
        for (pid_t child; c >> child;) out.push_back(child);
    }
    return out;
}

std::string unhex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

}  // namespace

TEST_CASE("serve: hostile code inside real workers reaches nothing, each item is held, the service lives on") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ServiceProcess s("[worker]\ncount = 2\ntimeout_seconds = 30\n");
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    // A unix socket of the host's that a worker must not reach.
    int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string sock = s.path("host.sock").string();
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    drop(s.path("in/総務課"), "first.txt", "the store and its key are in use\n");
    REQUIRE(wait_for([&] { return fs::exists(s.path("out/総務課/first.txt")); }));

    std::string service = std::to_string(s.pid());
    std::string secrets;
    for (const char* rel : {"keys/quarantine.key", "keys", "spool", "spool/active", "spool/incoming", "out", "out/総務課",
                            "mail", "qstore", "quarantine.db", "audit/audit.log", "mugaika.toml", "in/総務課"})
        secrets += s.path(rel).string() + "\n";
    secrets += "/proc/" + service + "/mem\n/proc/" + service + "/environ\n/proc/self/fd\n/etc/passwd\n";
    std::map<std::string, std::string> items{
        {"mugaika-test-hostile-open.txt", secrets},
        {"mugaika-test-hostile-write.txt", s.path("out/総務課/pwned.txt").string()},
        {"mugaika-test-hostile-tcp.txt", std::to_string(s.lmtp_port())},
        {"mugaika-test-hostile-unix.txt", sock},
        {"mugaika-test-hostile-exec.txt", ""},
        {"mugaika-test-hostile-fork.txt", ""},
        {"mugaika-test-hostile-ptrace.txt", service},
        {"mugaika-test-hostile-kill.txt", service},
        {"mugaika-test-hostile-fds.txt", ""},
    };
    for (const auto& [name, content] : items) drop(s.path("in/総務課"), name, content);
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == items.size() + 1; }, std::chrono::seconds(120)));
    drop(s.path("in/財政課"), "after.txt", "still working\n");
    REQUIRE(wait_for([&] { return fs::exists(s.path("out/財政課/after.txt")); }));
    CHECK(s.alive());

    auto held = reports_by_name(s);
    for (const auto& [name, content] : items) {
        CAPTURE(name);
        REQUIRE(held.count(name) == 1);
        std::string detail = held[name]["reason"]["detail"].get<std::string>();
        CAPTURE(detail);
        CHECK(held[name]["verdict"] == "quarantined");
        CHECK(detail.find("OPENED") == std::string::npos);
        CHECK(detail.find("SUCCEEDED") == std::string::npos);
    }
    auto detail = [&](const std::string& name) { return held[name]["reason"]["detail"].get<std::string>(); };
    CHECK(detail("mugaika-test-hostile-open.txt").find("quarantine.key: ENOENT") != std::string::npos);
    CHECK(detail("mugaika-test-hostile-fds.txt").find("open descriptors: 3 ") != std::string::npos);
    for (auto [name, call] : std::map<std::string, std::string>{{"mugaika-test-hostile-write.txt", "openat"},
                                                                {"mugaika-test-hostile-tcp.txt", "socket"},
                                                                {"mugaika-test-hostile-unix.txt", "socket"},
                                                                {"mugaika-test-hostile-exec.txt", "execve"},
                                                                {"mugaika-test-hostile-fork.txt", "clone"},
                                                                {"mugaika-test-hostile-ptrace.txt", "ptrace"},
                                                                {"mugaika-test-hostile-kill.txt", "kill"}}) {
        CAPTURE(name);
        CHECK(held[name]["reason"]["code"] == "worker.crash");
        CHECK(detail(name).find("forbidden system call: " + call) != std::string::npos);
    }
    CHECK_FALSE(fs::exists(s.path("out/総務課/pwned.txt")));
    CHECK(::accept(listener, nullptr, nullptr) < 0);   // nobody connected
    ::close(listener);
    std::string m = s.http_get("/metrics");
    CHECK(metric(m, "mugaika_worker_isolation{mode=\"sandbox\"}") == "1");
    CHECK(s.http_get("/healthz") == "ok\n");
    CHECK(s.term() == 0);
}

TEST_CASE("serve: the quarantine's key is in the service's memory and in no worker's") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ServiceProcess s("[worker]\ncount = 1\ntimeout_seconds = 60\n");
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    drop(s.path("in/総務課"), "held.exe", "MZ not really\n");   // held: the encrypted store is used
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    std::string hex = read_whole(s.path("keys/quarantine.key"));
    std::string key = unhex(hex.substr(0, 64));
    REQUIRE(key.size() == 32);
    CHECK(memory_contains(s.pid(), key));   // the scan finds it where it is
    drop(s.path("in/総務課"), "mugaika-test-hang-memory.txt", "wait\n");
    std::vector<pid_t> workers;
    REQUIRE(wait_for([&] {
        workers = children_of(s.pid());
        return workers.size() >= 2;   // the busy worker and the spare
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    workers = children_of(s.pid());
    for (pid_t w : workers) {
        CAPTURE(w);
        CHECK_FALSE(memory_contains(w, key));
        CHECK_FALSE(memory_contains(w, hex.substr(0, 64)));
    }
    s.kill9();
}

TEST_CASE("serve: a kernel without user namespaces stops the service, unless the site chose degraded") {
    ServiceProcess s;
    std::string cfg = s.config_file().string(), bin = mugaika_binary().string();
    // A user namespace of our own in which no further user namespace may be created.
    std::string jail = "unshare --user --map-root-user sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec " + bin +
                       " serve --init --config " + cfg + "' 2>&1";
    CommandResult refused = run("timeout 60 " + jail);
    CHECK(refused.status == 1);
    CHECK(refused.out.find("サンドボックスを作成できない") != std::string::npos);
    CHECK(refused.out.find("refusing to start") != std::string::npos);
    CHECK(refused.out.find("isolation = \"degraded\"") != std::string::npos);
    CHECK(count_entries(s.path("spool/incoming")) == 0);

    write_file(s.config_file(), read_whole(s.config_file()) + "[worker]\nisolation = \"degraded\"\n");
    CommandResult degraded = run("timeout 15 " + jail + " | head -c 20000");
    CHECK(degraded.out.find("worker isolation is DEGRADED") != std::string::npos);
    CHECK(degraded.out.find(": ready") != std::string::npos);
}

TEST_CASE("serve: a worker that names its output outside the drop folder is refused and the item held") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ServiceProcess s;
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    drop(s.path("in/総務課"), "mugaika-test-badname-1.txt", "../../escaped.txt");
    drop(s.path("in/総務課"), "mugaika-test-badname-2.txt", s.path("escaped-abs.txt").string());
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 2; }));
    auto held = reports_by_name(s);
    for (const char* name : {"mugaika-test-badname-1.txt", "mugaika-test-badname-2.txt"}) {
        CAPTURE(name);
        CHECK(held[name]["reason"]["code"] == "worker.crash");
        CHECK(held[name]["reason"]["detail"].get<std::string>().find("unsafe output name") != std::string::npos);
    }
    CHECK(visible_files(s.path("out")).empty());
    CHECK_FALSE(fs::exists(s.path("escaped.txt")));
    CHECK_FALSE(fs::exists(s.path("escaped-abs.txt")));
    CHECK(s.term() == 0);
}

TEST_CASE("mugaika sanitize: a worker's output named outside --out is refused, the input held") {
    TempDir t;
    write_file(t / "in" / "mugaika-test-badname.txt", "../escaped.txt");
    write_file(t / "cfg.toml", "[scan]\nenabled = false\n");
    CommandResult r = run("MUGAIKA_TEST_HOOKS=1 " + mugaika_binary().string() + " sanitize --config " + (t / "cfg.toml").string() +
                          " --out " + (t / "out").string() + " --quarantine " + (t / "q").string() + " " +
                          (t / "in" / "mugaika-test-badname.txt").string() + " 2>&1");
    CHECK(r.status == 3);
    CHECK(r.out.find("unsafe output name") != std::string::npos);
    CHECK_FALSE(fs::exists(t / "escaped.txt"));
    CHECK((!fs::exists(t / "out") || fs::is_empty(t / "out")));
}
