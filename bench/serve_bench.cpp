// End-to-end benchmark of `mugaika serve` through the watched share: 1,000 mixed files dropped into two
// sections at once, with the worker pool at 1 and at 2 workers. Reports files/s and p50/p99 latency
// (from the file's rename into the share to its per-item report being written) and the scaling ratio.
//
//   mugaika_serve_bench [--files N] [--workers 1,2] [--sequential M] [--isolation fork,sandbox]
//
// --isolation runs the whole set once per worker isolation, side by side in one run: "sandbox" (the
// exec'd, confined, pre-spawned workers) against "fork" (the old forked child of the service, kept in
// test builds as this baseline), and prints the added latency and the throughput ratio.
//
// --sequential M (default 100) adds M files dropped one at a time, each after the previous one was
// finished: the latency of one item in an idle service (0 skips it).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;
namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace {

void write(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// The mix: plain and Japanese text, CSV with and without formula cells (disarmed), and types this
// build cannot disarm yet (PDF, zip), which take the quarantine path.
std::pair<std::string, std::string> make_file(int i, std::mt19937& rng) {
    char name[64];
    int kind = i % 10;
    std::string body;
    if (kind < 4) {
        std::snprintf(name, sizeof name, "memo%04d.txt", i);
        int lines = 10 + static_cast<int>(rng() % 400);
        for (int l = 0; l < lines; ++l) body += "行" + std::to_string(l) + ": 予算の確認をお願いします。 line " + std::to_string(l) + "\n";
    } else if (kind < 7) {
        std::snprintf(name, sizeof name, "table%04d.csv", i);
        body = "氏名,金額,備考\n";
        int rows = 10 + static_cast<int>(rng() % 300);
        for (int r = 0; r < rows; ++r)
            body += "山田" + std::to_string(r) + "," + std::to_string(rng() % 100000) + "," + (r % 25 == 0 ? "=SUM(A1:A9)" : "ok") + "\n";
    } else if (kind < 9) {
        std::snprintf(name, sizeof name, "scan%04d.pdf", i);
        body = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    } else {
        std::snprintf(name, sizeof name, "archive%04d.zip", i);
        body = std::string("PK\x05\x06", 4) + std::string(18, '\0');
    }
    return {name, body};
}

struct Result {
    double files_per_s = 0, p50 = 0, p99 = 0;
};

Result run_once(const fs::path& binary, int workers, int n, bool sequential, const std::string& isolation) {
    fs::path root = fs::temp_directory_path() / ("mugaika-bench-" + std::to_string(::getpid()) + "-" + std::to_string(workers));
    fs::remove_all(root);
    std::string r = root.string();
    write(root / "mugaika.toml",
          "[paths]\nout = \"" + r + "/out\"\nquarantine = \"" + r + "/quarantine\"\nreports = \"" + r + "/reports\"\n"
          "[worker]\ncount = " + std::to_string(workers) + "\nisolation = \"" + isolation + "\"\n[spool]\ndir = \"" + r + "/spool\"\n"
          "[share]\ninbound = \"" + r + "/in\"\nsections = [\"総務課\", \"財政課\"]\nsettle_ms = 0\nrescan_seconds = 5\n"
          "[lmtp]\nenabled = false\n[http]\nenabled = false\n[log]\nsyslog = false\n"
          "[quarantine]\nstore_dir = \"" + r + "/qstore\"\ndb = \"sqlite:" + r + "/q.db\"\nkey_file = \"" + r + "/keys/q.key\"\n"
          "[audit]\nfile = \"" + r + "/audit.log\"\nsyslog = false\n"
          // The gateway's own cost; clamd's is the site's scanner's (measured apart, see docs/service.md).
          "[scan]\nenabled = false\n");
    std::string log = r + "/service.log", cfg = r + "/mugaika.toml", bin = binary.string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char* argv[] = {bin.c_str(), "serve", "--config", cfg.c_str(), nullptr};
    pid_t pid;
    if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, const_cast<char**>(argv), environ) != 0) throw std::runtime_error("spawn");
    while (slurp(log).find(": ready") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(20));

    // Prepare all files hidden, then rename them into place as fast as we can: a burst.
    std::mt19937 rng(42);
    std::vector<std::pair<fs::path, fs::path>> moves;
    for (int i = 0; i < n; ++i) {
        auto [name, body] = make_file(i, rng);
        fs::path dir = root / "in" / (i % 2 ? "総務課" : "財政課");
        write(dir / ("." + name), body);
        moves.push_back({dir / ("." + name), dir / name});
    }
    std::map<std::string, Clock::time_point> dropped;
    auto start = Clock::now();
    auto count = [&] {
        std::error_code ec;
        std::size_t c = 0;
        for (fs::directory_iterator it(root / "reports", ec), end; !ec && it != end; it.increment(ec))
            c += !it->path().filename().string().starts_with(".");   // not the writer's temp files
        return c;
    };
    // Burst: everything at once (throughput; latency is mostly queueing). Sequential: one file at a
    // time into an idle service (the latency of a single item).
    std::size_t expected = 0;
    for (auto& [from, to] : moves) {
        fs::rename(from, to);
        dropped[to.filename().string()] = Clock::now();
        ++expected;
        if (sequential)
            while (count() < expected) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    while (count() < static_cast<std::size_t>(n)) std::this_thread::sleep_for(std::chrono::milliseconds(50));

    std::vector<double> lat;
    Clock::time_point last = start;
    for (const auto& e : fs::directory_iterator(root / "reports")) {
        if (e.path().filename().string().starts_with(".")) continue;
        auto j = nlohmann::json::parse(slurp(e.path()));
        struct stat st{};
        ::stat(e.path().c_str(), &st);
        Clock::time_point done{std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(st.st_mtim.tv_sec) +
                                                                           std::chrono::nanoseconds(st.st_mtim.tv_nsec))};
        last = std::max(last, done);
        lat.push_back(std::chrono::duration<double>(done - dropped[j["job"]["name"].get<std::string>()]).count());
    }
    ::kill(pid, SIGTERM);
    int status;
    ::waitpid(pid, &status, 0);
    fs::remove_all(root);
    std::sort(lat.begin(), lat.end());
    Result res;
    res.files_per_s = n / std::chrono::duration<double>(last - start).count();
    res.p50 = lat[lat.size() / 2];
    res.p99 = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    int n = 1000, sequential = 100;
    std::vector<int> pools{1, 2};
    std::vector<std::string> isolations{"fork", "sandbox"};
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--files") n = std::stoi(argv[i + 1]);
        else if (a == "--sequential") sequential = std::stoi(argv[i + 1]);
        else if (a == "--workers") {
            pools.clear();
            std::stringstream ss(argv[i + 1]);
            for (std::string p; std::getline(ss, p, ',');) pools.push_back(std::stoi(p));
        } else if (a == "--isolation") {
            isolations.clear();
            std::stringstream ss(argv[i + 1]);
            for (std::string p; std::getline(ss, p, ',');) isolations.push_back(p);
        }
    }
    std::printf("mugaika serve, watched share: %d mixed files (40%% text, 30%% CSV, 30%% quarantined types), burst\n", n);
    std::printf("%-10s %-8s %10s %10s %10s\n", "isolation", "workers", "files/s", "p50 s", "p99 s");
    std::map<std::string, std::map<int, Result>> burst;
    std::map<std::string, Result> idle;
    for (const auto& iso : isolations) {
        double base = 0;
        for (int w : pools) {
            Result r = run_once(MUGAIKA_BINARY, w, n, false, iso);
            burst[iso][w] = r;
            if (base == 0) base = r.files_per_s;
            std::printf("%-10s %-8d %10.1f %10.2f %10.2f   scaling x%.2f\n", iso.c_str(), w, r.files_per_s, r.p50, r.p99,
                        r.files_per_s / base);
            std::fflush(stdout);
        }
        if (sequential > 0) {
            Result r = run_once(MUGAIKA_BINARY, 1, sequential, true, iso);
            idle[iso] = r;
            std::printf("%-10s one file at a time into an idle service (%d files): p50 %.3f s, p99 %.3f s\n", iso.c_str(),
                        sequential, r.p50, r.p99);
            std::fflush(stdout);
        }
    }
    if (burst.count("fork") && burst.count("sandbox")) {
        for (int w : pools)
            std::printf("sandbox vs fork, %d worker(s): throughput x%.2f\n", w,
                        burst["sandbox"][w].files_per_s / burst["fork"][w].files_per_s);
        if (idle.count("fork") && idle.count("sandbox"))
            std::printf("sandbox vs fork, idle latency: p50 %+.1f ms, p99 %+.1f ms\n",
                        (idle["sandbox"].p50 - idle["fork"].p50) * 1000, (idle["sandbox"].p99 - idle["fork"].p99) * 1000);
    }
}
