// Pages per second of the PDF sanitizer against poppler's own command-line converters, on the same
// files in one run: reconstruct mode vs `pdftocairo -pdf`, pixel mode vs `pdftoppm -r 150 -png`
// (rasterising plus encoding, as pixel mode does). Prints the ratios (ours / baseline; lower is better).
// `pdftoppm -r 150` writing raw PPM (no compression at all) is shown as well: it is the cost of
// rasterising alone, a floor that no encoder can beat.
//
//   bench_pdf [--runs N] [FILE.pdf ...]     default: the benign PDFs of ../shared/corpus
//
// Every measurement is the best of N runs (default 3): the machine is shared, and the minimum is
// the least disturbed figure. Wall-clock and CPU time are both reported.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace mugaika;

namespace {

struct Time {
    double wall = 1e300, cpu = 1e300;
    void keep_best(double w, double c) {
        wall = std::min(wall, w);
        cpu = std::min(cpu, c);
    }
};

double seconds(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

double self_cpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// Runs a command (no shell), returning wall and CPU seconds of the child; -1 wall on failure.
std::pair<double, double> run_command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    auto start = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) return {-1, -1};
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    rusage u{};
    wait4(pid, &status, 0, &u);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {-1, -1};
    return {wall, seconds(u.ru_utime) + seconds(u.ru_stime)};
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

Engine engine_for(const std::string& mode) {
    Policy policy = Policy::defaults();
    policy.options["pdf"]["mode"] = mode;
    policy.options["pdf"]["dpi"] = "150";
    return Engine(builtin_registry(), policy);
}

int page_count(const std::string& rebuilt) {
    // cairo writes its page dictionaries uncompressed: count them.
    int n = 0;
    for (auto p = rebuilt.find("/Type /Page"); p != std::string::npos; p = rebuilt.find("/Type /Page", p + 1))
        if (rebuilt.compare(p, 12, "/Type /Pages") != 0) ++n;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 3;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else files.emplace_back(argv[i]);
    }
    if (files.empty()) {
        fs::path corpus = fs::path(MUGAIKA_SOURCE_DIR) / ".." / "shared" / "corpus" / "benign-pdf";
        if (!fs::is_directory(corpus)) {
            std::fprintf(stderr, "no files given and no corpus at %s\n", corpus.c_str());
            return 2;
        }
        for (const auto& e : fs::directory_iterator(corpus))
            if (e.path().extension() == ".pdf") files.push_back(e.path());
        std::sort(files.begin(), files.end());
    }

    Engine reconstruct = engine_for("reconstruct"), pixels = engine_for("pixels");
    fs::path tmp = fs::temp_directory_path() / ("mugaika-bench-" + std::to_string(getpid()));
    fs::create_directories(tmp);

    int total_pages = 0;
    Time t_rec_total{0, 0}, t_cairo_total{0, 0}, t_pix_total{0, 0}, t_ppm_total{0, 0}, t_raw_total{0, 0};
    std::printf("%-28s %5s | %9s %9s %6s | %9s %9s %6s | %9s\n", "file", "pages", "rebuild", "pdftocairo", "ratio",
                "pixels", "ppm+png", "ratio", "ppm raw");
    for (const auto& file : files) {
        std::string bytes = read_file(file);
        std::string name = file.filename().string();
        Time rec, cairo, pix, ppm, raw;
        int pages = 0;
        bool ok = true;
        for (int r = 0; r < runs && ok; ++r) {
            auto start = std::chrono::steady_clock::now();
            double cpu0 = self_cpu();
            Outcome o = reconstruct.process(bytes, name);
            rec.keep_best(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                          self_cpu() - cpu0);
            if (o.quarantined()) { ok = false; break; }
            pages = page_count(o.outputs[0].bytes);

            start = std::chrono::steady_clock::now();
            cpu0 = self_cpu();
            Outcome p = pixels.process(bytes, name);
            pix.keep_best(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                          self_cpu() - cpu0);
            if (p.quarantined()) { ok = false; break; }

            auto [cw, cc] = run_command({"pdftocairo", "-pdf", file.string(), (tmp / "out.pdf").string()});
            auto [pw, pc] = run_command({"pdftoppm", "-r", "150", "-png", file.string(), (tmp / "page").string()});
            auto [rw, rc] = run_command({"pdftoppm", "-r", "150", file.string(), (tmp / "raw").string()});
            if (cw < 0 || pw < 0 || rw < 0) { ok = false; break; }
            cairo.keep_best(cw, cc);
            ppm.keep_best(pw, pc);
            raw.keep_best(rw, rc);
        }
        if (!ok) {
            std::printf("%-28s skipped (quarantined or a baseline tool failed)\n", name.substr(0, 28).c_str());
            continue;
        }
        total_pages += pages;
        t_rec_total.wall += rec.wall, t_rec_total.cpu += rec.cpu;
        t_cairo_total.wall += cairo.wall, t_cairo_total.cpu += cairo.cpu;
        t_pix_total.wall += pix.wall, t_pix_total.cpu += pix.cpu;
        t_ppm_total.wall += ppm.wall, t_ppm_total.cpu += ppm.cpu;
        t_raw_total.wall += raw.wall, t_raw_total.cpu += raw.cpu;
        std::printf("%-28s %5d | %8.3fs %8.3fs %5.2fx | %8.3fs %8.3fs %5.2fx | %8.3fs\n", name.substr(0, 28).c_str(),
                    pages, rec.wall, cairo.wall, rec.wall / cairo.wall, pix.wall, ppm.wall, pix.wall / ppm.wall, raw.wall);
    }
    fs::remove_all(tmp);
    if (total_pages == 0) return 1;

    auto rate = [&](double s) { return total_pages / s; };
    std::printf("\nall files, %d pages, best of %d runs\n", total_pages, runs);
    std::printf("  reconstruct  %7.1f pages/s wall (%7.1f cpu)   pdftocairo -pdf     %7.1f pages/s wall (%7.1f cpu)\n",
                rate(t_rec_total.wall), rate(t_rec_total.cpu), rate(t_cairo_total.wall), rate(t_cairo_total.cpu));
    std::printf("  pixels 150   %7.1f pages/s wall (%7.1f cpu)   pdftoppm -r 150 -png %6.1f pages/s wall (%7.1f cpu)\n",
                rate(t_pix_total.wall), rate(t_pix_total.cpu), rate(t_ppm_total.wall), rate(t_ppm_total.cpu));
    std::printf("  (pdftoppm -r 150, raw PPM, no encoding: %.1f pages/s wall, %.1f cpu)\n", rate(t_raw_total.wall),
                rate(t_raw_total.cpu));
    std::printf("  ratio reconstruct / pdftocairo: %.2fx wall, %.2fx cpu   (target <= 1.15x)\n",
                t_rec_total.wall / t_cairo_total.wall, t_rec_total.cpu / t_cairo_total.cpu);
    std::printf("  ratio pixels / pdftoppm -png:   %.2fx wall, %.2fx cpu   (target <= 1.30x)\n",
                t_pix_total.wall / t_ppm_total.wall, t_pix_total.cpu / t_ppm_total.cpu);
    std::printf("  ratio pixels / pdftoppm raw:    %.2fx wall, %.2fx cpu   (rasterising alone)\n",
                t_pix_total.wall / t_raw_total.wall, t_pix_total.cpu / t_raw_total.cpu);
    return 0;
}
