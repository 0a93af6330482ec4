// Megapixels per second of the image sanitizer against `vips copy` and ImageMagick's `convert` on
// the same files in one run (vips also at the quality we write, its default being 75), and the peak
// memory of each (every measurement is one fresh process:
// ours is this program run again with --one FILE, so its peak RSS is that of one item).
//
//   bench_image [--runs N] [--keep DIR] [FILE ...]
//
// Without files, photo-like pictures are made with ImageMagick in a temporary folder: JPEGs of 12
// and 50 megapixels, a 12-megapixel PNG, and the 50-megapixel JPEG turned by EXIF orientation 6 (the
// rebuild turns the pixels). Each figure is the run of least CPU time of N (default 3); CPU time is
// the fair measure on a shared machine, wall time is printed too. The targets
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
    double cpu = 0;   // user + system seconds of the child
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
    double cpu = u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
    return {wall, cpu, u.ru_maxrss / 1024.0};
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

// Width, height and (for a JPEG) the quality ImageMagick estimates, so that vips can be asked to
// write at the same quality as we do (its own default is 75).
struct Info {
    long w = 0, h = 0, quality = 0;
};
Info info_of(const fs::path& file) {
    std::string cmd = "/usr/bin/identify -format '%w %h %Q' " + file.string() + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    Info i;
    if (p) {
        if (std::fscanf(p, "%ld %ld %ld", &i.w, &i.h, &i.quality) < 2) i = {};
        pclose(p);
    }
    return i;
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

    std::printf("%-28s %5s | %-17s %-17s %-17s %-17s | %6s %6s %6s | %5s\n", "file", "MP", "mugaika wall/cpu",
                "vips Q=same", "vips copy (Q75)", "convert", "peakMB", "vipsMB", "convMB", "/dec");
    Run total_ours{0, 0, 0}, total_vq{0, 0, 0}, total_vips{0, 0, 0}, total_conv{0, 0, 0};
    double mp_total = 0;
    auto best = [](Run& keep, const Run& r) {
        if (r.wall >= 0 && (keep.wall < 0 || r.cpu < keep.cpu)) keep = r;
    };
    for (const auto& file : files) {
        Info in = info_of(file);
        if (in.w == 0) continue;
        double mp = in.w * in.h / 1e6, decoded_mb = in.w * in.h * 3 / (1024.0 * 1024.0);
        std::string ext = file.extension().string();
        std::string same = (tmp / ("vq" + ext)).string() + (ext == ".jpg" && in.quality > 0 ? "[Q=" + std::to_string(in.quality) + "]" : "");
        Run ours, vq, vips, conv;
        for (int r = 0; r < runs; ++r) {
            best(ours, run_command({self, "--one", file.string(), (tmp / ("ours" + ext)).string()}));
            best(vq, run_command({"vips", "copy", file.string(), same}));
            best(vips, run_command({"vips", "copy", file.string(), (tmp / ("vips" + ext)).string()}));
            best(conv, run_command({"/usr/bin/convert", file.string(), (tmp / ("convert" + ext)).string()}));
        }
        if (ours.wall < 0) {
            std::printf("%-28s failed\n", file.filename().c_str());
            continue;
        }
        mp_total += mp;
        for (auto [total, r] : {std::pair{&total_ours, ours}, {&total_vq, vq}, {&total_vips, vips}, {&total_conv, conv}})
            total->wall += std::max(0.0, r.wall), total->cpu += r.cpu;
        std::printf("%-28s %5.1f | %6.2fs / %5.2fs  %6.2fs / %5.2fs  %6.2fs / %5.2fs  %6.2fs / %5.2fs | %6.0f %6.0f %6.0f | %4.2fx\n",
                    file.filename().string().substr(0, 28).c_str(), mp, ours.wall, ours.cpu, vq.wall, vq.cpu, vips.wall,
                    vips.cpu, conv.wall, conv.cpu, ours.peak_mb, vips.peak_mb, conv.peak_mb, ours.peak_mb / decoded_mb);
    }
    auto rate = [&](double s) { return s > 0 ? mp_total / s : 0.0; };
    std::printf("\nall files, %.1f megapixels, best of %d runs (least CPU), one process per item\n", mp_total, runs);
    std::printf("  MP/s by CPU time: mugaika %.1f, vips copy at the same quality %.1f, vips copy %.1f, convert %.1f\n",
                rate(total_ours.cpu), rate(total_vq.cpu), rate(total_vips.cpu), rate(total_conv.cpu));
    std::printf("  MP/s by wall time: mugaika %.1f, vips copy at the same quality %.1f, vips copy %.1f, convert %.1f\n",
                rate(total_ours.wall), rate(total_vq.wall), rate(total_vips.wall), rate(total_conv.wall));
    std::printf("  throughput ratio (CPU): vs vips same quality %.2fx, vs vips copy %.2fx, vs convert %.2fx   (target >= 0.8x)\n",
                total_vq.cpu / total_ours.cpu, total_vips.cpu / total_ours.cpu, total_conv.cpu / total_ours.cpu);
    std::printf("  throughput ratio (wall): vs vips same quality %.2fx, vs vips copy %.2fx, vs convert %.2fx\n",
                total_vq.wall / total_ours.wall, total_vips.wall / total_ours.wall, total_conv.wall / total_ours.wall);
    fs::remove_all(tmp);
    return 0;
}
