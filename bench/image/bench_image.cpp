// Megapixels per second of the image sanitizer against `vips copy` and ImageMagick's `convert` on
// the same files in one run, and the peak memory of each (every measurement is one fresh process:
// ours is this program run again with --one FILE, so its peak RSS is that of one item).
//
//   bench_image [--runs N] [--keep DIR] [FILE ...]
//
// Without files, photo-like pictures are made with ImageMagick in a temporary folder: JPEGs of 12
// and 50 megapixels, a 12-megapixel PNG, and the 50-megapixel JPEG turned by EXIF orientation 6 (the
// rebuild turns the pixels). Every time is the best of N runs (default 3), wall clock; the targets
// are >= 0.8x the baseline's throughput and a peak memory <= 2x the decoded size (width x height x 3).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace mugaika;

namespace {

struct Run {
    double wall = -1;
    double peak_mb = 0;
};

// Runs a command (no shell): wall seconds and peak resident memory of the child; wall < 0 on failure.
Run run_command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    auto start = std::chrono::steady_clock::now();
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return {};
    int status = 0;
    rusage u{};
    wait4(pid, &status, 0, &u);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
    return {wall, u.ru_maxrss / 1024.0};
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::string s(fs::file_size(p), '\0');
    f.read(s.data(), static_cast<std::streamsize>(s.size()));
    return s;
}

bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

// One item through the engine in this process (the --one mode): reads, rebuilds, writes the output.
int one(const char* file, const char* out) {
    Engine engine(builtin_registry(), Policy::defaults());
    std::string bytes = read_file(file);
    Outcome o = engine.process(bytes, fs::path(file).filename().string());
    if (o.quarantined() || o.outputs.empty()) {
        std::fprintf(stderr, "%s: %s %s\n", file, o.reason.c_str(), o.reason_detail.c_str());
        return 1;
    }
    std::ofstream(out, std::ios::binary) << o.outputs[0].bytes;
    return 0;
}

std::pair<long, long> size_of(const fs::path& file) {
    std::string cmd = "/usr/bin/identify -format '%w %h' " + file.string() + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    long w = 0, h = 0;
    if (p) {
        if (std::fscanf(p, "%ld %ld", &w, &h) != 2) w = h = 0;
        pclose(p);
    }
    return {w, h};
}

std::vector<fs::path> make_photos(const fs::path& dir) {
    // A plasma fractal scaled up with noise on top: compresses like a photograph, not like a gradient.
    const char* convert = "/usr/bin/convert";
    std::vector<std::pair<std::string, std::string>> specs = {
        {"photo-12mp.jpg", "-size 1000x750 plasma:fractal -resize 4000x3000! -attenuate 0.4 +noise Gaussian -quality 90"},
        {"photo-50mp.jpg", "-size 1000x750 plasma:fractal -resize 8660x5774! -attenuate 0.4 +noise Gaussian -quality 90"},
        {"screen-12mp.png", "-size 1000x750 plasma:fractal -resize 4000x3000! -colors 200 -depth 8"},
    };
    std::vector<fs::path> files;
    for (const auto& [name, args] : specs) {
        fs::path f = dir / name;
        if (!fs::exists(f) && !shell(std::string(convert) + " -seed 7 " + args + " " + f.string())) continue;
        files.push_back(f);
    }
    fs::path turned = dir / "photo-50mp-orientation6.jpg";
    if (!fs::exists(turned) && fs::exists(dir / "photo-50mp.jpg"))
        shell("cp " + (dir / "photo-50mp.jpg").string() + " " + turned.string() + " && exiftool -q -overwrite_original -Orientation#=6 " +
              turned.string());
    if (fs::exists(turned)) files.push_back(turned);
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && !std::strcmp(argv[1], "--one")) return one(argv[2], argv[3]);
    int runs = 3;
    fs::path keep;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--keep") && i + 1 < argc) keep = argv[++i];
        else files.emplace_back(argv[i]);
    }
    fs::path tmp = fs::temp_directory_path() / ("mugaika-bench-image-" + std::to_string(getpid()));
    fs::create_directories(tmp);
    fs::path photos = keep.empty() ? tmp : keep;
    fs::create_directories(photos);
    if (files.empty()) files = make_photos(photos);
    if (files.empty()) {
        std::fprintf(stderr, "no pictures (ImageMagick's convert is needed to make them)\n");
        return 2;
    }
    const std::string self = fs::read_symlink("/proc/self/exe").string();

    std::printf("%-30s %6s | %8s %8s %8s | %7s %7s | %8s %8s %8s | %7s\n", "file", "MP", "mugaika", "vips", "convert",
                "vs vips", "vs conv", "peak MB", "vips MB", "conv MB", "peak/dec");
    double ours_total = 0, vips_total = 0, convert_total = 0, mp_total = 0;
    for (const auto& file : files) {
        auto [w, h] = size_of(file);
        if (w == 0) continue;
        double mp = w * h / 1e6, decoded_mb = w * h * 3 / (1024.0 * 1024.0);
        std::string ext = file.extension().string();
        Run ours, vips, conv;
        for (int r = 0; r < runs; ++r) {
            Run a = run_command({self, "--one", file.string(), (tmp / ("ours" + ext)).string()});
            Run b = run_command({"vips", "copy", file.string(), (tmp / ("vips" + ext)).string()});
            Run c = run_command({"/usr/bin/convert", file.string(), (tmp / ("convert" + ext)).string()});
            if (a.wall < 0) {
                std::printf("%-30s failed\n", file.filename().c_str());
                break;
            }
            if (ours.wall < 0 || a.wall < ours.wall) ours = a;
            if (b.wall >= 0 && (vips.wall < 0 || b.wall < vips.wall)) vips = b;
            if (c.wall >= 0 && (conv.wall < 0 || c.wall < conv.wall)) conv = c;
        }
        if (ours.wall < 0) continue;
        mp_total += mp;
        ours_total += ours.wall;
        vips_total += vips.wall > 0 ? vips.wall : 0;
        convert_total += conv.wall > 0 ? conv.wall : 0;
        // Throughput ratio: ours / baseline in megapixels per second (higher is better).
        std::printf("%-30s %6.1f | %7.2fs %7.2fs %7.2fs | %6.2fx %6.2fx | %8.0f %8.0f %8.0f | %6.2fx\n",
                    file.filename().string().substr(0, 30).c_str(), mp, ours.wall, vips.wall, conv.wall,
                    vips.wall > 0 ? vips.wall / ours.wall : 0.0, conv.wall > 0 ? conv.wall / ours.wall : 0.0, ours.peak_mb,
                    vips.peak_mb, conv.peak_mb, ours.peak_mb / decoded_mb);
    }
    std::printf("\nall files, %.1f megapixels, best of %d runs, one process per item\n", mp_total, runs);
    std::printf("  mugaika %6.1f MP/s   vips copy %6.1f MP/s   convert %6.1f MP/s\n", mp_total / ours_total,
                vips_total > 0 ? mp_total / vips_total : 0.0, convert_total > 0 ? mp_total / convert_total : 0.0);
    std::printf("  throughput vs vips copy %.2fx, vs convert %.2fx   (target >= 0.8x)\n",
                vips_total > 0 ? vips_total / ours_total : 0.0, convert_total > 0 ? convert_total / ours_total : 0.0);
    fs::remove_all(tmp);
    return 0;
}
