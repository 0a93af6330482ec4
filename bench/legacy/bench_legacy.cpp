// Legacy Office throughput: a batch of mixed legacy files (doc, xls, ppt, rtf, odt, ods, odp; 1-3
// pages each, Japanese text, tables) through the service's path: each item in a sandboxed disarm
// worker, which asks this process for the conversion, done by the warm pool of sandboxed LibreOffice
// converters (2 converters, 2 items at a time, OOXML rebuild included), against what a site would script:
// `soffice --headless --convert-to` started once per file, 2 at a time (conversion only, no rebuild).
// Both in the same run; the baseline may be sampled (--baseline N files) because it is slow.
//
//   mugaika_bench_legacy [--files 100] [--baseline 20] [--work DIR]
//
// The inputs are made once by LibreOffice itself (soffice --convert-to from flat ODF) and kept in
// the work folder for the next run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"
#include "office/office_pool.hpp"
#include "worker/isolated.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace mugaika;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}
void write_file(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << s;
}
std::string q(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return r + "'";
}
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

const char* kNs =
    R"(xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" )"
    R"(xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" )"
    R"(xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.3" )";

std::string text_doc(int n) {
    std::string body;
    for (int p = 0; p < 40; ++p)
        body += "<text:p>第" + std::to_string(n) + "号様式 段落" + std::to_string(p) +
                ": 住民基本台帳に関する事務の取扱いについて、関係各課に通知します。令和六年度の予算執行状況を報告します。</text:p>";
    body += R"(<table:table table:name="T"><table:table-column table:number-columns-repeated="3"/>)";
    for (int r = 0; r < 10; ++r) {
        body += "<table:table-row>";
        for (int c = 0; c < 3; ++c)
            body += R"(<table:table-cell office:value-type="string"><text:p>項目)" + std::to_string(r * 3 + c) + "</text:p></table:table-cell>";
        body += "</table:table-row>";
    }
    body += "</table:table>";
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>)" + body +
           "</office:text></office:body></office:document>";
}

std::string sheet_doc(int n) {
    std::string rows;
    for (int r = 1; r <= 60; ++r)
        rows += R"(<table:table-row><table:table-cell office:value-type="string"><text:p>地区)" + std::to_string(r) +
                R"(</text:p></table:table-cell><table:table-cell office:value-type="float" office:value=")" + std::to_string(r * n) +
                R"("><text:p/></table:table-cell><table:table-cell table:formula="of:=[.B)" + std::to_string(r) + R"(]*2" office:value-type="float" office:value=")" +
                std::to_string(r * n * 2) + R"("><text:p/></table:table-cell></table:table-row>)";
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="統計)" +
           std::to_string(n) + R"("><table:table-column table:number-columns-repeated="3"/>)" + rows +
           "</table:table></office:spreadsheet></office:body></office:document>";
}

std::string slides_doc(int n) {
    std::string pages;
    for (int s = 0; s < 3; ++s)
        pages += R"(<draw:page draw:name="p)" + std::to_string(s) + R"("><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="10cm"><draw:text-box><text:p>説明会資料 第)" +
                 std::to_string(n) + "回 スライド" + std::to_string(s) + "</text:p><text:p>・手続の流れ</text:p><text:p>・提出期限</text:p></draw:text-box></draw:frame></draw:page>";
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>)" + pages +
           "</office:presentation></office:body></office:document>";
}

// (source kind, output format, share of the batch)
struct Mix { const char* kind; const char* format; int share; };
constexpr Mix kMix[] = {{"fodt", "doc", 25}, {"fodt", "rtf", 10}, {"fodt", "odt", 5}, {"fods", "xls", 30},
                        {"fods", "ods", 5},  {"fodp", "ppt", 20}, {"fodp", "odp", 5}};

std::vector<fs::path> make_inputs(const fs::path& work, int files) {
    fs::path src = work / "src", out = work / "legacy";
    fs::create_directories(src);
    fs::create_directories(out);
    std::vector<fs::path> inputs;
    int n = 0;
    for (const auto& m : kMix) {
        int count = std::max(1, files * m.share / 100);
        std::vector<std::string> batch;
        for (int i = 0; i < count; ++i, ++n) {
            std::string stem = std::string(m.format) + "-" + std::to_string(i);
            fs::path target = out / (stem + "." + m.format);
            inputs.push_back(target);
            if (fs::exists(target)) continue;
            fs::path s = src / (stem + "." + m.kind);
            write_file(s, std::string(m.kind) == "fodt" ? text_doc(n) : std::string(m.kind) == "fods" ? sheet_doc(n) : slides_doc(n));
            batch.push_back(s.string());
        }
        if (batch.empty()) continue;
        std::string cmd = "soffice -env:UserInstallation=file://" + (work / "make-profile").string() +
                          " --headless --norestore --convert-to " + m.format + " --outdir " + q(out.string());
        for (const auto& b : batch) cmd += " " + q(b);
        std::cerr << "making " << batch.size() << " ." << m.format << " files with LibreOffice...\n";
        if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) std::cerr << "  (soffice reported an error)\n";
    }
    std::vector<fs::path> present;
    for (const auto& p : inputs)
        if (fs::exists(p)) present.push_back(p);
    return present;
}

}  // namespace

int main(int argc, char** argv) {
    int files = 100, baseline_files = 20;
    fs::path work = fs::temp_directory_path() / "mugaika-bench-legacy";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--files") files = std::stoi(argv[i + 1]);
        else if (k == "--baseline") baseline_files = std::stoi(argv[i + 1]);
        else if (k == "--work") work = argv[i + 1];
    }
    if (!office::office_installed() || office::office_program().empty()) {
        std::cerr << "LibreOffice or mugaika-office missing\n";
        return 1;
    }
    fs::create_directories(work);
    std::vector<fs::path> inputs = make_inputs(work, files);
    std::vector<std::string> bytes;
    std::uint64_t total = 0;
    for (const auto& p : inputs) {
        bytes.push_back(read_file(p));
        total += bytes.back().size();
    }
    std::printf("inputs: %zu legacy files (%.1f MB): doc %d%%, xls %d%%, ppt %d%%, rtf %d%%, odt/ods/odp %d%%\n", inputs.size(),
                total / 1e6, kMix[0].share, kMix[3].share, kMix[5].share, kMix[1].share, kMix[2].share + kMix[4].share + kMix[6].share);

    // Ours: 2 warm sandboxed converters, 2 items at a time, each in a sandboxed worker.
    auto t_pool = Clock::now();
    office::OfficeOptions o;
    o.converters = 2;
    auto pool = std::make_shared<office::OfficePool>(o);
    Engine engine(builtin_registry(), Policy::defaults());
    engine.set_converter(std::make_shared<office::PoolConverter>(pool));
    WorkerLimits limits;   // the service's defaults: isolation = "sandbox"
    set_spare_workers(3);
    // Wait until both converters are warm (a running service has them already).
    while (pool->stats().started < 2 && Clock::now() - t_pool < std::chrono::minutes(5)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    double warmup = seconds(Clock::now() - t_pool);
    // Two passes over the same batch with the same warm converters: the engine in this process (only
    // the conversion crosses into a sandbox: the converter's own cost), then the service's path (each
    // item in a sandboxed worker that asks this process for the conversion).
    double ours = 0;
    auto pass = [&](const char* label, auto process) {
        std::atomic<std::size_t> next{0}, ok{0};
        std::mutex m;
        std::map<std::string, int> held;
        std::vector<double> latencies(inputs.size());
        auto t0 = Clock::now();
        std::vector<std::thread> workers;
        for (int w = 0; w < 2; ++w)
            workers.emplace_back([&] {
                for (std::size_t i; (i = next++) < inputs.size();) {
                    auto s = Clock::now();
                    Outcome out = process(bytes[i], inputs[i].filename().string());
                    latencies[i] = seconds(Clock::now() - s);
                    if (!out.quarantined()) ++ok;
                    else {
                        std::lock_guard l(m);
                        ++held[out.reason + " (" + inputs[i].extension().string() + ")"];
                    }
                }
            });
        for (auto& t : workers) t.join();
        double took = seconds(Clock::now() - t0);
        std::sort(latencies.begin(), latencies.end());
        std::printf("mugaika, %s: %zu/%zu converted in %.1f s = %.2f docs/s; per document p50 %.2f s, p90 %.2f s, mean %.2f s\n",
                    label, ok.load(), inputs.size(), took, inputs.size() / took, latencies[latencies.size() / 2],
                    latencies[latencies.size() * 9 / 10], took * 2 / inputs.size());
        for (const auto& [r, n] : held) std::printf("  held: %d x %s\n", n, r.c_str());
        return took;
    };
    std::printf("2 warm sandboxed converters (warm-up %.1f s, not counted), 2 items at a time, OOXML rebuild included\n", warmup);
    double in_process = pass("engine in this process + sandboxed converters",
                             [&](const std::string& b, const std::string& n) { return engine.process(b, n); });
    ours = pass("sandboxed workers + sandboxed converters (the service's path)",
                [&](const std::string& b, const std::string& n) { return process_isolated(engine, b, n, limits); });
    auto st = pool->stats();
    std::printf("converters started %u, retired %u, crashed %u, timed out %u\n", st.started, st.retired, st.crashed, st.timed_out);

    // Baseline: soffice per file, 2 at a time, each lane with its own profile.
    std::size_t sample = std::min<std::size_t>(baseline_files, inputs.size());
    std::vector<fs::path> picked;
    for (std::size_t i = 0; i < sample; ++i) picked.push_back(inputs[i * inputs.size() / sample]);
    std::atomic<std::size_t> bnext{0}, bok{0};
    auto b0 = Clock::now();
    std::vector<std::thread> lanes;
    for (int w = 0; w < 2; ++w)
        lanes.emplace_back([&, w] {
            fs::path outdir = work / ("baseline-out-" + std::to_string(w));
            fs::create_directories(outdir);
            for (std::size_t i; (i = bnext++) < picked.size();) {
                std::string ext = picked[i].extension().string();
                std::string to = ext == ".xls" || ext == ".ods" ? "xlsx" : ext == ".ppt" || ext == ".odp" ? "pptx" : "docx";
                std::string cmd = "soffice -env:UserInstallation=file://" + (work / ("baseline-profile-" + std::to_string(w))).string() +
                                  " --headless --norestore --convert-to " + to + " --outdir " + q(outdir.string()) + " " +
                                  q(picked[i].string()) + " >/dev/null 2>&1";
                if (std::system(cmd.c_str()) == 0) ++bok;
            }
        });
    for (auto& t : lanes) t.join();
    double base = seconds(Clock::now() - b0);
    std::printf("baseline (soffice --headless --convert-to per file, 2 at a time, conversion only): %zu/%zu in %.1f s = %.2f docs/s\n",
                bok.load(), picked.size(), base, picked.size() / base);
    std::printf("ratio ours/baseline (the service's path): %.1fx (target >= 5x); mean per document: ours %.2f s "
                "(target < 1 s for 1-3 pages); in-process engine: %.1fx\n",
                (inputs.size() / ours) / (picked.size() / base), ours * 2 / inputs.size(),
                (inputs.size() / in_process) / (picked.size() / base));
    return 0;
}
