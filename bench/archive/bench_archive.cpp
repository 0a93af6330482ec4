// Archive rebuild throughput against the plain way to turn an archive into a zip: `bsdtar -x` into a
// folder, then `zip -r` (Info-ZIP, deflate level 6 like ours) of that folder. Both run over the same
// 7z and tar.gz of 100 mixed documents (text, Shift_JIS CSV, docx, xlsx) in alternating rounds, in one
// process run; the floor only unpacks and repacks, ours disarms every member on the way.
//
//   mugaika_bench_archive [WORKDIR]     needs 7z, tar, gzip, bsdtar and zip on the PATH
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mugaika/engine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const fs::path& p, const std::string& s) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << s;
}

std::string zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_source_keep(src);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    for (const auto& [name, data] : entries) {
        void* copy = std::malloc(data.size());
        std::memcpy(copy, data.data(), data.size());
        zip_file_add(z, name.c_str(), zip_source_buffer(z, copy, data.size(), 1), ZIP_FL_ENC_UTF_8);
    }
    zip_close(z);
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

std::string docx(int n) {
    const std::string rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships";
    const std::string off = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    std::string body;
    for (int i = 0; i < 400; ++i)
        body += "<w:p><w:r><w:t>第" + std::to_string(i + n) + "条 住民基本台帳の閲覧について、市長は次のとおり定める。</w:t></w:r></w:p>";
    return zip_of({
        {"[Content_Types].xml", R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)"},
        {"_rels/.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "officeDocument\" Target=\"word/document.xml\"/></Relationships>"},
        {"word/document.xml", "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body + "</w:body></w:document>"},
    });
}

std::string xlsx(int n) {
    const std::string rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships";
    const std::string off = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    std::string rows;
    for (int r = 1; r <= 1000; ++r)
        rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\"><v>" + std::to_string(r * 7 + n) + "</v></c></row>";
    return zip_of({
        {"[Content_Types].xml", R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)"},
        {"_rels/.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
        {"xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"" + rels_ns + "\"><Relationship Id=\"rId1\" Type=\"" + off + "worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
        {"xl/workbook.xml", R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
        {"xl/worksheets/sheet1.xml", "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + rows + "</sheetData></worksheet>"},
    });
}

// 100 documents, 25 of each kind, in folders as a department would send them.
void make_documents(const fs::path& dir) {
    for (int i = 0; i < 25; ++i) {
        std::string text, csv = "\x8e\x81\x96\xbc,\x8b\xe0\x8a\x7a\n";   // 氏名,金額 in Shift_JIS
        for (int l = 0; l < 300; ++l) text += "お知らせ " + std::to_string(i * 1000 + l) + " 行目: 来週の会議について\n";
        for (int l = 0; l < 1000; ++l) csv += "row" + std::to_string(l) + "," + std::to_string(l * 31 + i) + "\n";
        std::string n = std::to_string(i);
        write_file(dir / "お知らせ" / ("notice" + n + ".txt"), text);
        write_file(dir / "名簿" / ("list" + n + ".csv"), csv);
        write_file(dir / "文書" / ("doc" + n + ".docx"), docx(i));
        write_file(dir / "表" / ("sheet" + n + ".xlsx"), xlsx(i));
    }
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

int main(int argc, char** argv) {
    fs::path work = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "mugaika-bench-archive";
    fs::remove_all(work);
    make_documents(work / "docs");
    std::string q = "'" + work.string() + "'";
    if (sh("cd " + q + "/docs && 7z a -bd -bso0 ../docs.7z . && tar czf ../docs.tar.gz .") != 0) {
        std::fprintf(stderr, "7z or tar failed\n");
        return 1;
    }
    std::uintmax_t expanded = 0;   // the documents' own bytes: what both sides unpack and write again
    for (const auto& e : fs::recursive_directory_iterator(work / "docs"))
        if (e.is_regular_file()) expanded += e.file_size();
    mugaika::Engine engine(mugaika::builtin_registry(), mugaika::Policy::defaults());
    for (const char* name : {"docs.7z", "docs.tar.gz"}) {
        std::string bytes = read_file(work / name);
        auto check = engine.process(bytes, name);
        if (check.quarantined() || !check.held.empty()) {
            std::fprintf(stderr, "%s: %s %s\n", name, check.reason.c_str(), check.reason_detail.c_str());
            return 1;
        }
        double ours_s = 0, floor_s = 0;
        std::size_t rounds = 0, sink = 0;
        auto start = Clock::now();
        while (rounds < 3 || (Clock::now() - start < std::chrono::seconds(20) && rounds < 50)) {
            auto t0 = Clock::now();
            sink += engine.process(bytes, name).outputs.at(0).bytes.size();
            auto t1 = Clock::now();
            sh("rm -rf " + q + "/x " + q + "/x.zip && mkdir " + q + "/x && bsdtar -xf " + q + "/" + name + " -C " + q +
               "/x && cd " + q + "/x && zip -qr -6 ../x.zip .");
            auto t2 = Clock::now();
            ours_s += std::chrono::duration<double>(t1 - t0).count();
            floor_s += std::chrono::duration<double>(t2 - t1).count();
            ++rounds;
        }
        double mb = static_cast<double>(bytes.size()) * static_cast<double>(rounds) / 1e6;
        double xmb = static_cast<double>(expanded) * static_cast<double>(rounds) / 1e6;
        std::printf("%s: %.2f MB (%.2f MB of documents), 100 documents, %zu rounds (sink %zu)\n", name,
                    static_cast<double>(bytes.size()) / 1e6, static_cast<double>(expanded) / 1e6, rounds, sink);
        std::printf("  %-40s %10s %16s %10s\n", "", "MB/s in", "MB/s documents", "s/archive");
        std::printf("  %-40s %10.2f %16.2f %10.2f\n", "mugaika rebuild (every member disarmed)", mb / ours_s, xmb / ours_s,
                    ours_s / static_cast<double>(rounds));
        std::printf("  %-40s %10.2f %16.2f %10.2f\n", "bsdtar -x + zip -r (unpack, repack)", mb / floor_s, xmb / floor_s,
                    floor_s / static_cast<double>(rounds));
        std::printf("  ratio ours/floor: %.2fx throughput\n", floor_s / ours_s);
    }
    fs::remove_all(work);
    return 0;
}
