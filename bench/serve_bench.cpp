// End-to-end benchmark of `mugaika serve` through the watched share, two workloads side by side in one
// run, each with the worker pool at 1 and at 2 workers:
//   small  N small mixed files (text, CSV, types held), the service's own overhead per item;
//   docs   M real documents: PDF, docx, xlsx and mail (.eml) with attachments, from ../shared/corpus
//          when it is there, else made by the test fixtures (tests/support); skipped when neither.
// Reports items/s, p50/p99 latency (from the file's rename into the share to its per-item report),
// the scaling from the first pool size, and the service's fsyncs per item (its own /metrics counter,
// mugaika_fsyncs_total: every fsync the service makes, intake and release, SQLite's aside).
//
//   mugaika_serve_bench [--files N] [--docs M] [--workers 1,2] [--sequential K] [--isolation sandbox[,fork]]
//                       [--against OTHER/mugaika] [--rounds R]
//
// --against runs every burst once more with another build's `mugaika` (its mugaika-worker beside it),
// in turn with ours, R rounds (default 1; the best round of each is kept): the ratio of the two is
// taken under the same load.
// --isolation runs everything once per worker isolation: "sandbox" (the default: exec'd, confined,
// pre-spawned workers) and "fork" (the old forked child, kept in test builds as a baseline).
// --sequential K (default 100) adds K files dropped one at a time, each after the previous one was
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

#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#ifdef MUGAIKA_BENCH_FIXTURES
#include "fixtures.hpp"
#endif

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
    double files_per_s = 0, p50 = 0, p99 = 0, fsyncs_per_item = 0;
};

using Workload = std::vector<std::pair<std::string, std::string>>;   // name, bytes

Workload small_workload(int n) {
    std::mt19937 rng(42);
    Workload w;
    for (int i = 0; i < n; ++i) w.push_back(make_file(i, rng));
    return w;
}

std::string base64(const std::string& in) {
    static constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t line = 0;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out += t[(v >> 18) & 63];
        out += t[(v >> 12) & 63];
        out += i + 1 < in.size() ? t[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? t[v & 63] : '=';
        if ((line += 4) >= 76) { out += "\r\n"; line = 0; }
    }
    return out + "\r\n";
}

// A mail with a Japanese text body and the given attachments (base64).
std::string mail_with(const Workload& attachments, int i) {
    std::string m = "From: sender@example.jp\r\nTo: staff@lg.jp\r\nSubject: =?UTF-8?B?6LOH5paZ44Gu6YCB5LuY?= " +
                    std::to_string(i) + "\r\nDate: Mon, 1 Dec 2026 09:00:00 +0900\r\nMessage-ID: <bench" + std::to_string(i) +
                    "@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                    "--b\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                    base64("資料をお送りします。ご確認ください。\n");
    for (const auto& [name, bytes] : attachments)
        m += "--b\r\nContent-Type: application/octet-stream; name=\"" + name +
             "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
             base64(bytes);
    return m + "--b--\r\n";
}

// Real documents, a quarter each of PDF, docx, xlsx and mail with attachments: the corpus's benign
// files when ../shared/corpus is there, else the test fixtures' generated ones. Empty: none available.
Workload document_workload(int n) {
    std::map<std::string, std::vector<std::string>> pool;   // kind -> documents
    fs::path corpus = fs::path(MUGAIKA_SOURCE_DIR).parent_path() / "shared" / "corpus";
    if (const char* env = std::getenv("MUGAIKA_CORPUS")) corpus = env;
    std::error_code ec;
    auto take = [&](const fs::path& dir, const std::string& ext, const std::string& kind) {
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ext && it->file_size(ec) < (4u << 20)) files.push_back(it->path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) pool[kind].push_back(slurp(f));
    };
    std::string source;
    if (fs::exists(corpus / "MANIFEST.tsv", ec)) {
        take(corpus / "benign-pdf", ".pdf", "pdf");
        take(corpus / "benign-office", ".docx", "docx");
        take(corpus / "benign-office", ".xlsx", "xlsx");
        take(corpus / "eml-attach", ".eml", "eml");
        source = "corpus " + corpus.string();
    }
#ifdef MUGAIKA_BENCH_FIXTURES
    if (pool.size() < 4) {
        pool.clear();
        std::string text;
        for (int l = 0; l < 60; ++l) text += "令和8年度 予算の確認 line " + std::to_string(l) + " ";
        for (int k = 0; k < 4; ++k) {
            pool["pdf"].push_back(mugaika::test::make_pdf(text + std::to_string(k)));
            pool["docx"].push_back(mugaika::test::make_ooxml("docx", text + std::to_string(k)));
            pool["xlsx"].push_back(mugaika::test::make_ooxml("xlsx", text + std::to_string(k)));
        }
        source = "generated by the test fixtures";
    }
#endif
    if (pool.size() < 3 || pool["pdf"].empty() || pool["docx"].empty() || pool["xlsx"].empty()) return {};
    if (pool["eml"].empty() || source.starts_with("generated"))
        for (int k = 0; k < 4; ++k)
            pool["eml"].push_back(mail_with({{"資料.pdf", pool["pdf"][k % pool["pdf"].size()]},
                                             {"表.xlsx", pool["xlsx"][k % pool["xlsx"].size()]}}, k));
    std::printf("documents: %s (%zu pdf, %zu docx, %zu xlsx, %zu eml)\n", source.c_str(), pool["pdf"].size(),
                pool["docx"].size(), pool["xlsx"].size(), pool["eml"].size());
    Workload w;
    const char* kinds[] = {"pdf", "docx", "xlsx", "eml"};
    for (int i = 0; i < n; ++i) {
        const auto& docs = pool[kinds[i % 4]];
        char name[64];
        std::snprintf(name, sizeof name, "doc%04d.%s", i, kinds[i % 4]);
        w.push_back({name, docs[(i / 4) % docs.size()]});
    }
    return w;
}

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

// The service's fsyncs so far, from its /metrics.
double fsyncs(int port) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<unsigned short>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(s);
        return -1;
    }
    std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::write(s, req.data(), req.size());
    std::string resp;
    char buf[8192];
    for (ssize_t n; (n = ::read(s, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
    ::close(s);
    double total = 0;
    std::istringstream in(resp);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("mugaika_fsyncs_total{")) total += std::stod(line.substr(line.rfind(' ') + 1));
    return total;
}

Result run_once(const fs::path& binary, int workers, const Workload& work, bool sequential, const std::string& isolation) {
    const int n = static_cast<int>(work.size());
    const int http = free_port();
    fs::path root = fs::temp_directory_path() / ("mugaika-bench-" + std::to_string(::getpid()) + "-" + std::to_string(workers));
    fs::remove_all(root);
    std::string r = root.string();
    write(root / "mugaika.toml",
          "[paths]\nout = \"" + r + "/out\"\nquarantine = \"" + r + "/quarantine\"\nreports = \"" + r + "/reports\"\n"
          "[worker]\ncount = " + std::to_string(workers) + "\nisolation = \"" + isolation + "\"\n[spool]\ndir = \"" + r + "/spool\"\n"
          "[share]\ninbound = \"" + r + "/in\"\nsections = [\"総務課\", \"財政課\"]\nsettle_ms = 0\nrescan_seconds = 5\n"
          "[lmtp]\nenabled = false\n[http]\nlisten = \"127.0.0.1:" + std::to_string(http) + "\"\n[log]\nsyslog = false\n"
          "[converter]\ncount = 0\n"
          "[quarantine]\nstore_dir = \"" + r + "/qstore\"\ndb = \"sqlite:" + r + "/q.db\"\nkey_file = \"" + r + "/keys/q.key\"\n"
          "[audit]\nfile = \"" + r + "/audit.log\"\nsyslog = false\n"
          // The gateway's own cost; clamd's is the site's scanner's (measured apart, see docs/service.md).
          "[scan]\nenabled = false\n");
    std::string log = r + "/service.log", cfg = r + "/mugaika.toml", bin = binary.string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // --init: a new installation makes its quarantine key and database on the first start.
    const char* argv[] = {bin.c_str(), "serve", "--config", cfg.c_str(), "--init", nullptr};
    pid_t pid;
    if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, const_cast<char**>(argv), environ) != 0) throw std::runtime_error("spawn");
    while (slurp(log).find(": ready") == std::string::npos) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) throw std::runtime_error("mugaika serve did not start:\n" + slurp(log));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    // Prepare all files hidden, then rename them into place as fast as we can: a burst.
    std::vector<std::pair<fs::path, fs::path>> moves;
    for (int i = 0; i < n; ++i) {
        const auto& [name, body] = work[static_cast<std::size_t>(i)];
        fs::path dir = root / "in" / (i % 2 ? "総務課" : "財政課");
        write(dir / ("." + name), body);
        moves.push_back({dir / ("." + name), dir / name});
    }
    std::map<std::string, Clock::time_point> dropped;
    double fsyncs_before = -1;
    for (int tries = 0; tries < 250 && fsyncs_before < 0; ++tries) {
        fsyncs_before = fsyncs(http);
        if (fsyncs_before < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
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
    // Every item has its report; its move to done/ (the last step) follows at once.
    std::error_code dec;
    while (true) {
        std::size_t done = 0;
        for (fs::directory_iterator it(root / "spool" / "done", dec), end; !dec && it != end; it.increment(dec)) ++done;
        if (done >= static_cast<std::size_t>(n)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double fsyncs_after = fsyncs(http);
    ::kill(pid, SIGTERM);
    int status;
    ::waitpid(pid, &status, 0);
    fs::remove_all(root);
    std::sort(lat.begin(), lat.end());
    Result res;
    res.files_per_s = n / std::chrono::duration<double>(last - start).count();
    res.p50 = lat[lat.size() / 2];
    res.p99 = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
    res.fsyncs_per_item = fsyncs_before >= 0 && fsyncs_after >= 0 ? (fsyncs_after - fsyncs_before) / n : -1;
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    int n = 1000, docs = 120, sequential = 100;
    std::vector<int> pools{1, 2};
    std::vector<std::string> isolations{"sandbox"};
    std::string against;
    int rounds = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--files") n = std::stoi(argv[i + 1]);
        else if (a == "--against") against = argv[i + 1];
        else if (a == "--rounds") rounds = std::max(1, std::stoi(argv[i + 1]));
        else if (a == "--docs") docs = std::stoi(argv[i + 1]);
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
    std::vector<std::pair<std::string, Workload>> workloads;
    if (n > 0) workloads.push_back({"small", small_workload(n)});
    if (docs > 0) {
        Workload d = document_workload(docs);
        if (d.empty()) std::printf("documents: no corpus (../shared/corpus) and no fixtures in this build: skipped\n");
        else workloads.push_back({"docs", std::move(d)});
    }
    std::printf("mugaika serve, watched share, burst: small = %d mixed files (40%% text, 30%% CSV, 30%% held types), "
                "docs = %d documents (PDF, docx, xlsx, mail with attachments)\n", n, docs);
    std::printf("%-9s %-10s %-8s %9s %9s %9s %12s %8s\n", "workload", "isolation", "workers", "items/s", "p50 s", "p99 s",
                "fsyncs/item", "scaling");
    std::map<std::string, std::map<std::string, std::map<int, Result>>> burst;   // isolation, workload, workers
    std::map<std::string, Result> idle;
    for (const auto& iso : isolations) {
        for (const auto& [wname, work] : workloads) {
            double base = 0;
            for (int w : pools) {
                Result r, other;
                for (int round = 0; round < rounds; ++round) {
                    Result x = run_once(MUGAIKA_BINARY, w, work, false, iso);
                    if (x.files_per_s > r.files_per_s) r = x;
                    if (against.empty()) continue;
                    Result y = run_once(against, w, work, false, iso);
                    if (y.files_per_s > other.files_per_s) other = y;
                }
                burst[iso][wname][w] = r;
                if (base == 0) base = r.files_per_s;
                std::printf("%-9s %-10s %-8d %9.1f %9.2f %9.2f %12.2f   x%.2f\n", wname.c_str(), iso.c_str(), w,
                            r.files_per_s, r.p50, r.p99, r.fsyncs_per_item, r.files_per_s / base);
                if (!against.empty())
                    std::printf("%-9s %-10s %-8d %9.1f %9.2f %9.2f %12.2f   against: ours x%.2f\n", wname.c_str(), "(against)",
                                w, other.files_per_s, other.p50, other.p99, other.fsyncs_per_item, r.files_per_s / other.files_per_s);
                std::fflush(stdout);
            }
        }
        if (sequential > 0) {
            Result r = run_once(MUGAIKA_BINARY, 1, small_workload(sequential), true, iso);
            idle[iso] = r;
            std::printf("%-10s one file at a time into an idle service (%d files): p50 %.3f s, p99 %.3f s, %.2f fsyncs/item\n",
                        iso.c_str(), sequential, r.p50, r.p99, r.fsyncs_per_item);
            std::fflush(stdout);
        }
    }
    for (const auto& iso : isolations) {
        auto& b = burst[iso];
        std::printf("targets (%s):", iso.c_str());
        if (b.count("docs") && b["docs"].count(1) && b["docs"].count(2))
            std::printf(" docs scaling 1->2 x%.2f (>= 1.8);", b["docs"][2].files_per_s / b["docs"][1].files_per_s);
        if (b.count("small") && b["small"].count(2)) std::printf(" small, 2 workers %.1f items/s (>= 100);", b["small"][2].files_per_s);
        if (idle.count(iso)) std::printf(" idle p50 %.1f ms (<= 30)", idle[iso].p50 * 1000);
        std::printf("\n");
    }
    if (burst.count("fork") && burst.count("sandbox")) {
        for (const auto& [wname, work] : workloads)
            for (int w : pools)
                std::printf("sandbox vs fork, %s, %d worker(s): throughput x%.2f\n", wname.c_str(), w,
                            burst["sandbox"][wname][w].files_per_s / burst["fork"][wname][w].files_per_s);
        if (idle.count("fork") && idle.count("sandbox"))
            std::printf("sandbox vs fork, idle latency: p50 %+.1f ms, p99 %+.1f ms\n",
                        (idle["sandbox"].p50 - idle["fork"].p50) * 1000, (idle["sandbox"].p99 - idle["fork"].p99) * 1000);
    }
}
