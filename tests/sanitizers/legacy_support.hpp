// Legacy fixtures made by LibreOffice itself (mugaika_test_lok, one start per test binary run) and
// one warm converter pool shared by the tests of this binary (LibreOffice's start-up is seconds).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <unistd.h>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"
#include "office/office_pool.hpp"
#include "worker/isolated.hpp"

namespace mugaika::test::legacy {

inline bool office_available() {
#ifdef MUGAIKA_TEST_LOK
    return office::office_installed() && !office::office_program().empty();
#else
    return false;
#endif
}

inline std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out.push_back(t[(v >> k) & 63]);
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out.push_back(t[(v >> 18) & 63]);
        out.push_back(t[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? t[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

inline const char* kOdfNs =
    R"(xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" )"
    R"(xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" )"
    R"(xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" )"
    R"(xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" )"
    R"(xmlns:ooo="http://openoffice.org/2004/office" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.3" )";

inline std::string image_frame() {
    return R"(<draw:frame draw:name="画像1" text:anchor-type="as-char" svg:width="1cm" svg:height="1cm"><draw:image><office:binary-data>)" +
           base64(make_png(16, 16)) + "</office:binary-data></draw:image></draw:frame>";
}

// A flat ODF text document: Japanese paragraphs, a table, an embedded image; `scripts` goes in
// office:scripts, `extra` at the end of the body.
inline std::string flat_odt(const std::string& scripts = "", const std::string& extra = "") {
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kOdfNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.text">)" +
           (scripts.empty() ? "" : "<office:scripts>" + scripts + "</office:scripts>") +
           R"(<office:body><office:text><text:p>様式第一号 旧形式の文書テスト</text:p>)"
           R"(<table:table table:name="表1"><table:table-column table:number-columns-repeated="2"/>)"
           R"(<table:table-row><table:table-cell office:value-type="string"><text:p>申請者</text:p></table:table-cell>)"
           R"(<table:table-cell office:value-type="string"><text:p>山田太郎</text:p></table:table-cell></table:table-row></table:table>)"
           "<text:p>" + image_frame() + "</text:p>" + extra + "</office:text></office:body></office:document>";
}

inline std::string flat_ods() {
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kOdfNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>)"
           R"(<table:table table:name="集計"><table:table-column table:number-columns-repeated="2"/>)"
           R"(<table:table-row><table:table-cell office:value-type="string"><text:p>品目</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>数量</text:p></table:table-cell></table:table-row>)"
           R"(<table:table-row><table:table-cell office:value-type="string"><text:p>りんご</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell></table:table-row>)"
           R"(<table:table-row><table:table-cell office:value-type="string"><text:p>みかん</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell></table:table-row>)"
           R"x(<table:table-row><table:table-cell office:value-type="string"><text:p>合計</text:p></table:table-cell><table:table-cell table:formula="of:=SUM([.B2:.B3])" office:value-type="float" office:value="8"><text:p>8</text:p></table:table-cell></table:table-row>)x"
           R"(</table:table></office:spreadsheet></office:body></office:document>)";
}

inline std::string flat_odp() {
    return std::string(R"(<?xml version="1.0" encoding="UTF-8"?><office:document )") + kOdfNs +
           R"(office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>)"
           R"(<draw:page draw:name="page1"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>会議資料 第三回</text:p></draw:text-box></draw:frame>)"
           R"(<draw:frame svg:x="2cm" svg:y="6cm" svg:width="2cm" svg:height="2cm"><draw:image><office:binary-data>)" +
           base64(make_png(16, 16)) + R"(</office:binary-data></draw:image></draw:frame>)"
           R"(</draw:page></office:presentation></office:body></office:document>)";
}

inline std::string hex(std::string_view b) {
    static const char* d = "0123456789abcdef";
    std::string h;
    for (unsigned char c : b) {
        h.push_back(d[c >> 4]);
        h.push_back(d[c & 15]);
    }
    return h;
}

// RTF with a DDEAUTO field, an INCLUDEPICTURE of a URL, an embedded OLE 1.0 object with \objupdate
// (its native data a real compound file) and its picture, and Japanese text (\uN escapes).
inline std::string hostile_rtf() {
    auto le32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF), static_cast<char>((v >> 16) & 0xFF),
                           static_cast<char>(v >> 24)};
    };
    std::string native = make_cfb({{"\x01Ole10Native", le32(4) + "ABCD"}});
    std::string ole1 = le32(0x0501) + le32(2) + le32(8) + std::string("Package\0", 8) + le32(0) + le32(0) +
                       le32(static_cast<std::uint32_t>(native.size())) + native;
    return "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 MS Mincho;}}\n"
           "\\pard \\u27096?\\u24335?\\u31532?\\u19968?\\u21495? RTF\\par\n"   // 様式第一号
           "{\\field{\\*\\fldinst DDEAUTO \"c:\\\\windows\\\\system32\\\\cmd.exe\" \"/c calc\"}{\\fldrslt \\u35336?\\u31639?}}\\par\n"
           "{\\field{\\*\\fldinst INCLUDEPICTURE \"http://127.0.0.1:9/x.png\" \\\\d}{\\fldrslt }}\\par\n"
           "{\\object\\objemb\\objupdate\\objw200\\objh200{\\*\\objclass Package}{\\*\\objdata " + hex(ole1) +
           "}{\\result {\\pict\\pngblip\\picw16\\pich16\\picwgoal200\\pichgoal200 " + hex(make_png(16, 16)) + "}}}\\par\n"
           "\\pard \\u23665?\\u30000?\\u22826?\\u37070?\\par\n}";   // 山田太郎
}

// Excel 5/95 (BIFF5) written record by record: a worksheet with Japanese text (code page 932), and
// optionally an XLM macro sheet with an Auto_Open name.
inline std::string biff5_workbook(bool macro_sheet) {
    auto rec = [](std::uint16_t type, const std::string& data) {
        std::string r;
        r.push_back(static_cast<char>(type & 0xFF));
        r.push_back(static_cast<char>(type >> 8));
        r.push_back(static_cast<char>(data.size() & 0xFF));
        r.push_back(static_cast<char>(data.size() >> 8));
        return r + data;
    };
    auto u16 = [](unsigned v) { return std::string{static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)}; };
    auto u32 = [&](unsigned v) { return u16(v & 0xFFFF) + u16(v >> 16); };
    auto bof = [&](unsigned dt) { return rec(0x0809, u16(0x0500) + u16(dt) + u16(0x0DBB) + u16(0x07CC)); };
    auto label = [&](unsigned row, unsigned col, const std::string& cp932) {
        return rec(0x0204, u16(row) + u16(col) + u16(15) + u16(static_cast<unsigned>(cp932.size())) + cp932);
    };
    auto sheet = [&](unsigned dt, const std::string& cells) { return bof(dt) + rec(0x0000, u16(0) + u16(4) + u16(0) + u16(2) + u16(0)) + cells + rec(0x000A, ""); };
    // 集計表 / 山田太郎 / 様式第一号 in CP932
    const std::string shuukei = "\x8F\x57\x8C\x76\x95\x5C", yamada = "\x8E\x52\x93\x63\x91\xBE\x98\x59",
                      yoshiki = "\x97\x6C\x8E\xAE\x91\xE6\x88\xEA\x8D\x86";
    std::string s1 = sheet(0x0010, label(0, 0, yoshiki) + label(1, 0, yamada) + rec(0x0203, u16(1) + u16(1) + u16(15) + std::string("\0\0\0\0\0\0\x20\x40", 8)));
    std::string s2 = sheet(0x0040, label(0, 0, "=EXEC(\"calc.exe\")") + label(1, 0, "=HALT()"));
    std::string xf;
    for (int i = 0; i < 16; ++i) xf += rec(0x00E0, u16(0) + u16(0) + u16(i < 15 ? 0xFFF5 : 0x0001) + std::string(10, '\0'));
    auto globals = [&](unsigned off1, unsigned off2) {
        std::string g = bof(0x0005) + rec(0x0042, u16(932)) +
                        rec(0x0031, u16(200) + u16(0) + u16(0x7FFF) + u16(400) + u16(0) + std::string("\0\0\x80\0\x05", 5) + "Arial") + xf;
        g += rec(0x0085, u32(off1) + u16(0x0000) + std::string(1, static_cast<char>(shuukei.size())) + shuukei);
        if (macro_sheet) {
            g += rec(0x0085, u32(off2) + std::string("\0\x01", 2) + std::string("\x06", 1) + "Macro1");
            // NAME: built-in Auto_Open (0x01) referring to the macro sheet's A1.
            g += rec(0x0018, u16(0x0020) + std::string("\0\x01", 2) + u16(0) + u16(0) + u16(0) + std::string(4, '\0') + std::string("\x01", 1));
        }
        return g + rec(0x000A, "");
    };
    unsigned size = static_cast<unsigned>(globals(0, 0).size());
    return globals(size, size + static_cast<unsigned>(s1.size())) + s1 + (macro_sheet ? s2 : "");
}

struct Fixtures {
    TempDir dir;
    std::map<std::string, std::string> files;   // name ("report.doc") -> bytes
    std::string error;
};

// Generated once per process: the flat sources, then LibreOffice writes the binary and zipped formats.
inline const Fixtures& fixtures() {
    static Fixtures f;
    static std::once_flag once;
    std::call_once(once, [] {
#ifdef MUGAIKA_TEST_LOK
        auto src = f.dir / "src";
        std::filesystem::create_directories(src);
        write_file(src / "text.fodt", flat_odt());
        write_file(src / "book.fods", flat_ods());
        write_file(src / "slides.fodp", flat_odp());
        write_file(src / "dde.rtf", hostile_rtf());
        struct Job { const char* in; const char* out; const char* format; };
        const Job jobs[] = {{"text.fodt", "report.doc", "doc"},   {"text.fodt", "report.rtf", "rtf"},
                            {"text.fodt", "report.odt", "odt"},   {"book.fods", "book.xls", "xls"},
                            {"book.fods", "book.ods", "ods"},     {"slides.fodp", "slides.ppt", "ppt"},
                            {"slides.fodp", "slides.odp", "odp"}, {"dde.rtf", "dde.doc", "doc"}};
        // CTest runs each test case in its own process: what LibreOffice made once (for these exact
        // sources) is kept in the build tree and reused.
        std::size_t key = std::hash<std::string>{}(flat_odt() + flat_ods() + flat_odp() + hostile_rtf());
        std::filesystem::path cache = std::filesystem::path(MUGAIKA_TEST_CACHE) / ("legacy-" + std::to_string(key));
        auto out = f.dir / "out";
        bool cached = true;
        for (const auto& j : jobs) cached = cached && std::filesystem::exists(cache / j.out);
        if (cached) {
            out = cache;
        } else {
            std::filesystem::create_directories(out);
            std::string cmd = std::string("timeout 600 ") + MUGAIKA_TEST_LOK + " " + shell_quote((f.dir / "profile").string());
            for (const auto& j : jobs)
                cmd += " " + shell_quote((src / j.in).string()) + " " + shell_quote((out / j.out).string()) + " " + j.format;
            auto r = run(cmd + " 2>/dev/null");
            if (r.status != 0) f.error += "mugaika_test_lok: " + r.out;
        }
        for (const auto& j : jobs) {
            if (std::filesystem::exists(out / j.out)) f.files[j.out] = read_whole(out / j.out);
            else f.error += std::string(j.out) + " not made; ";
        }
        if (!cached && f.error.empty()) {   // publish whole or not at all (another test may race us)
            std::error_code ec;
            std::filesystem::create_directories(cache.parent_path(), ec);
            auto staging = cache.parent_path() / ("tmp-" + std::to_string(::getpid()));
            std::filesystem::copy(out, staging, ec);
            if (!ec) std::filesystem::rename(staging, cache, ec);
            if (ec) std::filesystem::remove_all(staging, ec);
        }
        f.files["text.fodt"] = read_whole(src / "text.fodt");
        f.files["book.fods"] = read_whole(src / "book.fods");
        f.files["slides.fodp"] = read_whole(src / "slides.fodp");
        f.files["dde.rtf"] = read_whole(src / "dde.rtf");
#endif
    });
    return f;
}

// One pool for the whole test binary: one converter, in its sandbox as the service runs it, replaced
// as the tests make it. Its test hooks act (documents with a mugaika-test-office-* marker).
inline std::shared_ptr<office::OfficePool> shared_pool() {
    static std::shared_ptr<office::OfficePool> pool = [] {
        office::OfficeOptions o;
        o.converters = 1;
        o.max_documents = 25;
        o.test_hooks = true;
        return std::make_shared<office::OfficePool>(o);
    }();
    return pool;
}

// The service's path: the item in a sandboxed disarm worker, which asks this process for the
// conversion; the shared pool's sandboxed LibreOffice does it.
inline Outcome through_sandbox(const Engine& e, std::string_view bytes, std::string_view name,
                               std::chrono::seconds wall = std::chrono::seconds(180)) {
    WorkerLimits limits;   // isolation = "sandbox"
    limits.wall = wall;
    return process_isolated(e, bytes, name, limits);
}

inline std::unique_ptr<Engine> engine_with_office(const std::string& policy_toml = "") {
    Registry registry = builtin_registry();
    Policy policy = policy_toml.empty() ? Policy::defaults() : parse_policy_text(policy_toml, "test.toml", registry);
    auto e = std::make_unique<Engine>(std::move(registry), std::move(policy));
    e->set_converter(std::make_shared<office::PoolConverter>(shared_pool()));
    return e;
}

inline bool has_finding(const Outcome& o, std::string_view kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

}  // namespace mugaika::test::legacy
