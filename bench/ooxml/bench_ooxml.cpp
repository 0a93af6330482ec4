// OOXML (and zip archive) rebuild throughput against its floor: a plain libzip copy that inflates and deflates every
// entry of the same files. Both run over the same inputs in alternating rounds (fair under a shared
// machine), and the ratio ours/floor is printed (target: at least 0.6x).
//
//   mugaika_bench_ooxml [FILE|DIR ...]     default: ../shared/corpus/benign-office plus generated files
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "mugaika/engine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Input {
    std::string name, bytes;
};

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

zip_t* new_memory_zip(zip_source_t*& src) {
    zip_error_t err;
    zip_error_init(&err);
    src = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_source_keep(src);
    return zip_open_from_source(src, ZIP_TRUNCATE, &err);
}

std::string take(zip_source_t* src) {
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<std::size_t>(size), '\0');
    zip_source_read(src, out.data(), static_cast<zip_uint64_t>(size));
    zip_source_close(src);
    zip_source_free(src);
    return out;
}

// The floor: what any rewrite of a package costs at least.
// `level` 0 is libzip's default (zlib level 9); the rebuilt packages are written at level 6.
std::size_t libzip_copy(const std::string& bytes, zip_uint32_t level) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* in_src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    zip_t* in = zip_open_from_source(in_src, ZIP_RDONLY, &err);
    if (!in) return 0;
    zip_source_t* out_src = nullptr;
    zip_t* out = new_memory_zip(out_src);
    zip_int64_t n = zip_get_num_entries(in, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_index(in, i, 0, &st);
        zip_file_t* f = zip_fopen_index(in, i, 0);
        if (!f) continue;
        void* data = std::malloc(st.size ? st.size : 1);
        zip_fread(f, data, st.size);
        zip_fclose(f);
        zip_source_t* s = zip_source_buffer(out, data, st.size, 1);
        zip_int64_t idx = zip_file_add(out, st.name, s, ZIP_FL_ENC_UTF_8);
        zip_set_file_compression(out, static_cast<zip_uint64_t>(idx), ZIP_CM_DEFLATE, level);
    }
    zip_close(out);
    zip_discard(in);
    return take(out_src).size();
}

std::string zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
    zip_source_t* src = nullptr;
    zip_t* z = new_memory_zip(src);
    for (const auto& [name, data] : entries) {
        void* copy = std::malloc(data.size());
        std::memcpy(copy, data.data(), data.size());
        zip_file_add(z, name.c_str(), zip_source_buffer(z, copy, data.size(), 1), ZIP_FL_ENC_UTF_8);
    }
    zip_close(z);
    return take(src);
}

// Larger generated documents so that throughput is not all per-file overhead.
std::vector<Input> generated() {
    const std::string rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships";
    const std::string off = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    std::string body;
    for (int i = 0; i < 4000; ++i)
        body += "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>第" + std::to_string(i) + "条 住民基本台帳の閲覧について、市長は次のとおり定める。</w:t></w:r></w:p>";
    std::string docx = zip_of({
        {"[Content_Types].xml", R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)"},
        {"_rels/.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "officeDocument\" Target=\"word/document.xml\"/></Relationships>"},
        {"word/document.xml", "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body + "</w:body></w:document>"},
    });
    std::string rows;
    for (int r = 1; r <= 20000; ++r)
        rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\"><v>" + std::to_string(r * 7) + "</v></c><c r=\"B" +
                std::to_string(r) + "\"><f>A" + std::to_string(r) + "*2</f><v>" + std::to_string(r * 14) + "</v></c></row>";
    std::string xlsx = zip_of({
        {"[Content_Types].xml", R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)"},
        {"_rels/.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
        {"xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
        {"xl/workbook.xml", R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
        {"xl/worksheets/sheet1.xml", "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + rows + "</sheetData></worksheet>"},
    });
    return {{"generated-large.docx", docx}, {"generated-large.xlsx", xlsx}};
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<fs::path> paths;
    for (int i = 1; i < argc; ++i) paths.emplace_back(argv[i]);
    if (paths.empty()) {
        fs::path corpus = fs::path(MUGAIKA_SOURCE_DIR).parent_path() / "shared" / "corpus" / "benign-office";
        if (fs::exists(corpus)) paths.push_back(corpus);
    }
    std::vector<Input> inputs = argc > 1 ? std::vector<Input>{} : generated();
    for (const auto& p : paths) {
        std::vector<fs::path> files;
        if (fs::is_directory(p)) {
            for (const auto& e : fs::directory_iterator(p)) files.push_back(e.path());
        } else {
            files.push_back(p);
        }
        for (const auto& f : files) {
            auto ext = f.extension().string();
            // Plain zip archives too: the archive sanitizer rebuilds them on the same zip reader and writer.
            if (ext == ".docx" || ext == ".xlsx" || ext == ".pptx" || ext == ".docm" || ext == ".xlsm" || ext == ".pptm" ||
                ext == ".zip")
                inputs.push_back({f.filename().string(), read_file(f)});
        }
    }

    mugaika::Engine engine(mugaika::builtin_registry(), mugaika::Policy::defaults());
    std::vector<Input> usable;
    std::size_t bytes = 0;
    for (auto& in : inputs) {
        auto o = engine.process(in.bytes, in.name);
        if (o.quarantined()) {
            std::cerr << "skipped (quarantined " << o.reason << "): " << in.name << "\n";
            continue;
        }
        bytes += in.bytes.size();
        usable.push_back(std::move(in));
    }
    if (usable.empty()) {
        std::cerr << "no usable inputs\n";
        return 1;
    }

    double floor_s = 0, floor6_s = 0, ours_s = 0;
    std::size_t rounds = 0, sink = 0;
    auto start = Clock::now();
    while (rounds < 3 || (Clock::now() - start < std::chrono::seconds(10) && rounds < 200)) {
        auto t0 = Clock::now();
        for (const auto& in : usable) sink += libzip_copy(in.bytes, 0);
        auto t1 = Clock::now();
        for (const auto& in : usable) sink += engine.process(in.bytes, in.name).outputs.size();
        auto t2 = Clock::now();
        for (const auto& in : usable) sink += libzip_copy(in.bytes, 6);
        auto t3 = Clock::now();
        floor_s += std::chrono::duration<double>(t1 - t0).count();
        ours_s += std::chrono::duration<double>(t2 - t1).count();
        floor6_s += std::chrono::duration<double>(t3 - t2).count();
        ++rounds;
    }
    double mb = static_cast<double>(bytes) * static_cast<double>(rounds) / 1e6;
    double files = static_cast<double>(usable.size() * rounds);
    std::printf("inputs: %zu files, %.2f MB, %zu rounds (sink %zu)\n", usable.size(), static_cast<double>(bytes) / 1e6, rounds, sink);
    std::printf("%-44s %10s %10s\n", "", "MB/s", "files/s");
    std::printf("%-44s %10.1f %10.1f\n", "floor: libzip copy, libzip default (zlib 9)", mb / floor_s, files / floor_s);
    std::printf("%-44s %10.1f %10.1f\n", "floor: libzip copy, zlib level 6", mb / floor6_s, files / floor6_s);
    std::printf("%-44s %10.1f %10.1f\n", "mugaika rebuild (engine.process, zlib 6)", mb / ours_s, files / ours_s);
    std::printf("ratio ours/floor: %.2fx vs libzip default, %.2fx vs the same level (target >= 0.60x)\n",
                floor_s / ours_s, floor6_s / ours_s);
    return 0;
}
