// Legacy Office, RTF and OpenDocument: detection by structure, the scan, conversion by a real
// LibreOffice (the converter pool), and the OOXML/PDF rebuild after it. Output is checked with
// independent readers: unzip, a separate LibreOffice run with its own profile (text markers),
// qpdf and pdftotext.
#include <doctest/doctest.h>
#include <gsf/gsf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "../../sanitizers/legacy/scan.hpp"
#include "legacy_support.hpp"
#include "mugaika/detect.hpp"
#include "mugaika/reasons.hpp"
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::legacy;

namespace {

// A copy of a compound file with extra streams ("Macros/VBA/dir" makes the storages on the way).
void copy_tree(GsfInfile* in, GsfOutfile* out) {
    int n = gsf_infile_num_children(in);
    for (int i = 0; i < n; ++i) {
        GsfInput* child = gsf_infile_child_by_index(in, i);
        const char* name = gsf_infile_name_by_index(in, i);
        bool dir = GSF_IS_INFILE(child) && gsf_infile_num_children(GSF_INFILE(child)) >= 0;
        GsfOutput* o = gsf_outfile_new_child(out, name, dir);
        if (dir) copy_tree(GSF_INFILE(child), GSF_OUTFILE(o));
        else gsf_input_copy(child, o);
        if (!gsf_output_is_closed(o)) gsf_output_close(o);
        g_object_unref(o);
        g_object_unref(child);
    }
}

std::string cfb_plus(const std::string& original, const Entries& extra) {
    gsf_init();
    GsfInput* mem_in = gsf_input_memory_new(reinterpret_cast<const guint8*>(original.data()), original.size(), FALSE);
    GsfInfile* in = gsf_infile_msole_new(mem_in, nullptr);
    GsfOutput* mem = gsf_output_memory_new();
    GsfOutfile* out = gsf_outfile_msole_new(mem);
    copy_tree(in, out);
    // Storages named once, streams below them.
    std::map<std::string, GsfOutfile*> dirs;
    for (const auto& [path, data] : extra) {
        GsfOutfile* parent = out;
        std::string sofar;
        std::size_t pos = 0, slash;
        while ((slash = path.find('/', pos)) != std::string::npos) {
            sofar = path.substr(0, slash);
            if (!dirs.count(sofar))
                dirs[sofar] = GSF_OUTFILE(gsf_outfile_new_child(parent, path.substr(pos, slash - pos).c_str(), TRUE));
            parent = dirs[sofar];
            pos = slash + 1;
        }
        GsfOutput* s = gsf_outfile_new_child(parent, path.substr(pos).c_str(), FALSE);
        gsf_output_write(s, data.size(), reinterpret_cast<const guint8*>(data.data()));
        gsf_output_close(s);
        g_object_unref(s);
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
        if (!gsf_output_is_closed(GSF_OUTPUT(it->second))) gsf_output_close(GSF_OUTPUT(it->second));
        g_object_unref(it->second);
    }
    gsf_output_close(GSF_OUTPUT(out));
    g_object_unref(out);
    g_object_unref(in);
    g_object_unref(mem_in);
    const guint8* bytes = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
    std::string result(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(gsf_output_size(mem)));
    gsf_output_close(mem);
    g_object_unref(mem);
    return result;
}

std::string unzip_list(const TempDir& dir, const std::string& name, const std::string& bytes) {
    write_file(dir / name, bytes);
    return run("unzip -Z1 " + shell_quote((dir / name).string()) + " 2>&1").out;
}
std::string unzip_part(const TempDir& dir, const std::string& name, const std::string& part) {
    return run("unzip -p " + shell_quote((dir / name).string()) + " " + shell_quote(part) + " 2>/dev/null").out;
}

#define REQUIRE_OFFICE()                                                                                    \
    if (!office_available()) {                                                                              \
        MESSAGE("LibreOffice / LibreOfficeKit not installed (scripts/install-deps.sh): legacy conversion skipped"); \
        return;                                                                                             \
    }                                                                                                       \
    REQUIRE_MESSAGE(fixtures().error.empty(), (fixtures().error))

}  // namespace

TEST_CASE("legacy detection: doc, xls (BIFF8 and Excel 5/95), ppt, rtf, ODF packaged and flat, Ichitaro by content, not by name") {
    Detector d;
    auto id = [&](const std::string& bytes) { return std::string(d.detect(bytes, "file.bin").type->id); };
    CHECK(id(make_cfb({{"Book", biff5_workbook(false)}})) == "xls");
    CHECK(id(make_cfb({{"Workbook", biff5_workbook(false)}})) == "xls");
    CHECK(id(make_cfb({{"WordDocument", "x"}, {"1Table", "y"}})) == "doc");
    CHECK(id(make_cfb({{"PowerPoint Document", "x"}, {"Current User", "y"}})) == "ppt");
    CHECK(id(hostile_rtf()) == "rtf");
    CHECK(id(flat_odt()) == "odt");
    CHECK(id(flat_ods()) == "ods");
    CHECK(id(flat_odp()) == "odp");
    // Flat ODF without an XML declaration, and an XML that only mentions ODF, are told apart.
    std::string bare = flat_odt();
    bare.erase(0, bare.find("?>") + 2);
    CHECK(id(bare) == "odt");
    CHECK(id("<?xml version=\"1.0\"?><note office:mimetype=\"application/vnd.oasis.opendocument.text\">x</note>") == "xml");
    // 一太郎 8 and later: a compound file with JSRV segment streams; 4-6: "DOC" and a version byte.
    CHECK(id(cfb_plus(make_cfb({{"DocumentText", "x"}}), {{"Body/\x04JSRV_SegmentInformation", "seg"}})) == "ichitaro");
    std::string jtd5 = "DOC" + std::string(40, '\0') + "\x15" + std::string(200, '\0');
    CHECK(id(jtd5) == "ichitaro");
    // A Word file with a VBA project is noted at detection.
    Detection vba = d.detect(cfb_plus(make_cfb({{"WordDocument", "x"}}), {{"Macros/VBA/dir", "d"}, {"Macros/PROJECT", "p"}}), "a.doc");
    CHECK(std::string(vba.type->id) == "doc");
    bool noted = false;
    for (const auto& f : vba.findings) noted = noted || f.kind == "detect.macros";
    CHECK(noted);
}

TEST_CASE("legacy without a converter is held as unsupported (fail closed), Ichitaro is held with its own reason") {
    Engine e(builtin_registry(), Policy::defaults());
    Outcome o = e.process(make_cfb({{"Book", biff5_workbook(false)}}), "統計.xls");
    CHECK(o.quarantined());
    CHECK(o.reason == "unsupported");
    CHECK(o.outputs.empty());
    Outcome t = e.process(cfb_plus(make_cfb({{"DocumentText", "x"}}), {{"Body/\x04JSRV_SegmentInformation", "s"}}), "通知.jtd");
    CHECK(t.quarantined());
    CHECK(t.reason == "unsupported.ichitaro");
    CHECK(std::string(reason::explain_ja(t.reason)).find("PDF") != std::string::npos);
}

// The LibreOffice tests run as few processes as possible (CTest starts one per TEST_CASE, and each
// starts a converter): related checks are SUBCASEs of one case, sharing the fixtures and the pool.
static void formats_become_ooxml();
static void biff5_with_xlm();
static void target_pdf();
static void vba_dde_objects();
static void unreadable_then_next();
static void converter_faults_in_sandbox();
static void converter_sandbox_from_inside();
static void selftest_reports_converter();

TEST_CASE("legacy conversion: doc, xls (also Excel 5/95 with an XLM sheet), ppt, rtf, odt, ods, odp and flat ODF made by LibreOffice become OOXML or PDF that independent readers open, Japanese text intact") {
    SUBCASE("every format to OOXML, through a sandboxed worker and the sandboxed converter") { formats_become_ooxml(); }
    SUBCASE("the converter's sandbox, seen from inside LibreOffice's process") { converter_sandbox_from_inside(); }
    SUBCASE("a converter that crashes or calls what its sandbox forbids: held, replaced, the next converts") {
        converter_faults_in_sandbox();
    }
    SUBCASE("mugaika selftest sandbox reports the converter's layers") { selftest_reports_converter(); }
    SUBCASE("Excel 5/95 (BIFF5) with an XLM macro sheet and Auto_Open") { biff5_with_xlm(); }
    SUBCASE("target = pdf") { target_pdf(); }
}

TEST_CASE("legacy conversion: VBA in doc and xls, DDE fields in doc and rtf, RTF objects with objupdate are reported and gone, an unreadable document is held and the next converts") {
    SUBCASE("hostile constructs") { vba_dde_objects(); }
    SUBCASE("unreadable, then the next") { unreadable_then_next(); }
}

static void formats_become_ooxml() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    TempDir work;
    struct Case { std::string input, out_ext, image_dir; };
    const Case cases[] = {{"report.doc", "docx", "word/media/"}, {"report.rtf", "docx", "word/media/"},
                          {"report.odt", "docx", "word/media/"}, {"text.fodt", "docx", "word/media/"},
                          {"book.xls", "xlsx", ""},              {"book.ods", "xlsx", ""},
                          {"book.fods", "xlsx", ""},             {"slides.ppt", "pptx", "ppt/media/"},
                          {"slides.odp", "pptx", "ppt/media/"},  {"slides.fodp", "pptx", ""}};
    std::vector<std::filesystem::path> outputs;
    for (const auto& c : cases) {
        CAPTURE(c.input);
        // The name lies on purpose: the content decides. The service's path: a sandboxed worker that
        // asks this process, whose pool's LibreOffice converts in a sandbox of its own.
        Outcome o = through_sandbox(*e, fixtures().files.at(c.input), "受信" + c.input.substr(c.input.find('.')));
        REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
        CHECK(o.verdict == Verdict::disarmed);
        REQUIRE(o.outputs.size() == 1);
        CHECK(o.outputs[0].type == c.out_ext);
        CHECK(o.outputs[0].name.ends_with("." + c.out_ext));
        CHECK(has_finding(o, "legacy.converted"));
        std::string name = c.input.substr(0, c.input.find('.')) + "-" + c.input.substr(c.input.find('.') + 1) + "." + c.out_ext;
        std::string list = unzip_list(work, name, o.outputs[0].bytes);
        CHECK(run("unzip -tq " + shell_quote((work / name).string()) + " >/dev/null 2>&1").status == 0);
        if (!c.image_dir.empty()) CHECK_MESSAGE(list.find(c.image_dir) != std::string::npos, list);
        CHECK(list.find("vbaProject") == std::string::npos);
        outputs.push_back(work / name);
        // Python's zipfile and XML parser read the Japanese text straight from the package.
        auto py = run("python3 -c " + shell_quote(R"(import sys, zipfile, xml.dom.minidom as m
z = zipfile.ZipFile(sys.argv[1])
print(''.join(n.data for part in z.namelist() if part.endswith('.xml') and ('word/document' in part or 'sharedStrings' in part or '/slides/slide' in part)
              for n in [t.firstChild for t in m.parseString(z.read(part)).getElementsByTagName(
                  {'word': 'w:t', 'xl': 't', 'ppt': 'a:t'}[part.split('/')[0]])] if n is not None))
)") + " " + shell_quote((work / name).string()));
        CHECK(py.status == 0);
        const char* marker = c.out_ext == "docx" ? "山田太郎" : c.out_ext == "xlsx" ? "みかん" : "会議資料";
        CHECK_MESSAGE(py.out.find(marker) != std::string::npos, py.out);
    }
    // A separate LibreOffice (soffice, its own profile) reads what we released.
    auto text = ooxml::libreoffice_text(work, outputs);
    for (const auto& p : outputs) {
        std::string stem = p.stem().string();
        CAPTURE(stem);
        const std::string& t = text[stem];
        if (stem.starts_with("report") || stem.starts_with("text")) {
            CHECK(t.find("様式第一号") != std::string::npos);
            CHECK(t.find("山田太郎") != std::string::npos);
        } else if (stem.starts_with("book")) {
            CHECK(t.find("みかん") != std::string::npos);
            CHECK_MESSAGE(t.find("8") != std::string::npos, t);
        } else {
            CHECK(t.find("会議資料") != std::string::npos);
        }
    }
}

static void converter_sandbox_from_inside() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    Outcome o = through_sandbox(*e, fixtures().files.at("report.rtf"), "起動確認.rtf");   // a converter is up
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    auto j = nlohmann::json::parse(shared_pool()->sandbox_report());
    CHECK(j["profile"] == "office");
    CHECK(j["isolation"] == "sandbox");
    CHECK(j["pid"] == 1);            // the first process of its own PID namespace
    CHECK(j["seccomp_mode"] == 2);   // filter
    CHECK(j["no_new_privs"] == 1);
    CHECK(j["dumpable"] == 0);
    CHECK(j["files"]["/etc/passwd"] != "readable");
    CHECK(j["files"]["/proc/self/status"] != "readable");
    CHECK(j["files"]["/usr/lib/libreoffice/program/libmergedlo.so"] == "readable");
    CHECK(j["inet_socket"] != "created");
    std::set<std::string> on;
    for (const auto& l : j["layers"])
        if (l["on"] == true) on.insert(l["name"].get<std::string>());
    for (const char* layer : {"userns", "mountns", "pidns", "netns", "root", "rlimits", "capabilities", "no_new_privs", "seccomp"})
        CHECK_MESSAGE(on.count(layer) == 1, layer);
}

static void selftest_reports_converter() {
    REQUIRE_OFFICE();
    auto r = run(shell_quote(mugaika_binary().string()) + " selftest sandbox 2>&1");
    CHECK_MESSAGE(r.status == 0, r.out);
    CHECK_MESSAGE(r.out.find("converter sandbox: profile office, isolation sandbox") != std::string::npos, r.out);
    auto at = r.out.find("converter sandbox:");
    REQUIRE(at != std::string::npos);
    std::string converter = r.out.substr(at);
    for (const char* line : {"netns         on", "root          on", "landlock      on", "seccomp       on   profile office",
                             "pid           1", "seccomp mode  2", "/etc/passwd: No such file", "libmergedlo.so: readable",
                             "inet socket   Permission denied"})
        CHECK_MESSAGE(converter.find(line) != std::string::npos, line);
    CHECK(r.out.find("sandbox complete") != std::string::npos);
}

// Test hooks of the real mugaika-office (test builds, the pool's --test-hooks): a document with the
// marker makes LibreOffice's process abort or execve inside its sandbox. Each costs one document and
// one converter; the next document converts on a fresh one. (Hangs: office_pool_test.cpp.)
static void converter_faults_in_sandbox() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    auto before = shared_pool()->stats();
    Outcome crash = through_sandbox(*e, "{\\rtf1\\ansi mugaika-test-office-crash \\par}", "落ちる.rtf");
    CHECK(crash.quarantined());
    CHECK(crash.reason == reason::worker_crash);
    CHECK(crash.outputs.empty());
    CHECK_MESSAGE(crash.reason_detail.find("converter") != std::string::npos, crash.reason_detail);
    Outcome exec = through_sandbox(*e, "{\\rtf1\\ansi mugaika-test-office-exec \\par}", "実行する.rtf");
    CHECK(exec.quarantined());
    CHECK(exec.reason == reason::worker_crash);
    CHECK_MESSAGE(exec.reason_detail.find("execve") != std::string::npos, exec.reason_detail);
    Outcome next = through_sandbox(*e, fixtures().files.at("report.doc"), "次.doc");
    CHECK_MESSAGE(!next.quarantined(), (next.reason + ": " + next.reason_detail));
    auto after = shared_pool()->stats();
    CHECK(after.crashed >= before.crashed + 2);
    CHECK(after.started >= before.started + 2);
}

static void biff5_with_xlm() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    TempDir work;
    Outcome o = e->process(make_cfb({{"Book", biff5_workbook(true)}}), "統計95.xls");
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    CHECK(has_finding(o, "legacy.xlm"));
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "xlsx");
    std::string list = unzip_list(work, "b.xlsx", o.outputs[0].bytes);
    CHECK(list.find("macrosheets") == std::string::npos);
    std::string wb = unzip_part(work, "b.xlsx", "xl/workbook.xml");
    CHECK_MESSAGE(wb.find("Auto_Open") == std::string::npos, wb);
    // No formula that runs a command survives anywhere in the package.
    std::string all = run("unzip -p " + shell_quote((work / "b.xlsx").string()) + " 2>/dev/null").out;
    CHECK(all.find("<f>EXEC") == std::string::npos);
    auto text = ooxml::libreoffice_text(work, {work / "b.xlsx"});
    CHECK(text["b"].find("山田太郎") != std::string::npos);
}

static void vba_dde_objects() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    TempDir work;
    const Entries vba{{"Macros/VBA/dir", std::string(64, '\x01')}, {"Macros/VBA/ThisDocument", "Sub AutoOpen()\nShell \"calc\"\nEnd Sub"},
                      {"Macros/PROJECT", "ID=\"{00000000-0000-0000-0000-000000000000}\"\nDocument=ThisDocument/&H00000000\n"}};
    Outcome doc = e->process(cfb_plus(fixtures().files.at("report.doc"), vba), "マクロ付き.doc");
    REQUIRE_MESSAGE(!doc.quarantined(), (doc.reason + ": " + doc.reason_detail));
    CHECK(has_finding(doc, "legacy.vba"));
    CHECK(doc.outputs[0].type == "docx");
    CHECK(unzip_list(work, "v.docx", doc.outputs[0].bytes).find("vba") == std::string::npos);

    const Entries xvba{{"_VBA_PROJECT_CUR/VBA/dir", std::string(64, '\x01')}, {"_VBA_PROJECT_CUR/PROJECT", "ID=\"{0}\"\n"}};
    Outcome xls = e->process(cfb_plus(fixtures().files.at("book.xls"), xvba), "マクロ付き.xls");
    REQUIRE_MESSAGE(!xls.quarantined(), (xls.reason + ": " + xls.reason_detail));
    CHECK(has_finding(xls, "legacy.vba"));
    CHECK(xls.outputs[0].type == "xlsx");
    CHECK(unzip_list(work, "v.xlsx", xls.outputs[0].bytes).find("vba") == std::string::npos);

    for (const char* input : {"dde.rtf", "dde.doc"}) {
        CAPTURE(input);
        Outcome o = e->process(fixtures().files.at(input), input);
        REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
        CHECK(has_finding(o, "legacy.dde"));
        std::string name = std::string(input) + ".docx";
        unzip_list(work, name, o.outputs[0].bytes);
        std::string body = unzip_part(work, name, "word/document.xml");
        CHECK(body.find("DDEAUTO") == std::string::npos);
        CHECK(body.find("cmd.exe") == std::string::npos);
        CHECK(body.find("INCLUDEPICTURE") == std::string::npos);
        CHECK(ooxml::residual_constructs(work / name).empty());
    }
    Outcome rtf = e->process(fixtures().files.at("dde.rtf"), "dde.rtf");
    CHECK(has_finding(rtf, "legacy.ole"));
    CHECK(has_finding(rtf, "legacy.objupdate"));
}

TEST_CASE("legacy conversion: ODF Basic and an open-event macro never run, linked resources are never fetched (a loopback listener sees nothing)") {
    REQUIRE_OFFICE();
    TempDir work;
    unsigned short port = 0;
    int listener = listen_loopback(port);
    REQUIRE(listener >= 0);
    std::atomic<int> connections{0};
    std::atomic<bool> stop{false};
    std::thread counter([&] {
        while (!stop) {
            timeval tv{0, 100000};
            fd_set fds;
            FD_ZERO(&fds);
            FD_SET(listener, &fds);
            if (::select(listener + 1, &fds, nullptr, nullptr, &tv) > 0) {
                int c = ::accept(listener, nullptr, nullptr);
                if (c >= 0) {
                    ++connections;
                    ::close(c);
                }
            }
        }
    });
    std::string url = "http://127.0.0.1:" + std::to_string(port);
    auto marker = work / "macro-ran";
    std::string scripts =
        R"(<office:script script:language="ooo:Basic"><ooo:libraries><ooo:library-embedded ooo:name="Standard"><ooo:module ooo:name="Module1"><ooo:source-code>Sub Marker
  Dim n As Integer
  n = FreeFile
  Open ")" + marker.string() + R"(" For Output As #n
  Print #n, "ran"
  Close #n
  Shell "touch )" + marker.string() + R"("
End Sub
</ooo:source-code></ooo:module></ooo:library-embedded></ooo:libraries></office:script>)"
        R"(<office:event-listeners><script:event-listener script:language="ooo:script" script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Marker?language=Basic&amp;location=document" xlink:type="simple"/></office:event-listeners>)";
    std::string links = R"(<text:p><draw:frame draw:name="linked" text:anchor-type="as-char" svg:width="1cm" svg:height="1cm"><draw:image xlink:href=")" +
                        url + R"(/linked.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>)"
                        R"(<text:section text:name="s1"><text:section-source xlink:href=")" + url + R"(/section.odt" xlink:type="simple"/></text:section>)";
    std::string hostile = flat_odt(scripts, links);
    write_file(work / "hostile.fodt", hostile);

    // Control: the stock LibreOffice, converting the same file with its default profile, does fetch
    // the linked image from the listener. That is what the converter's profile has to prevent.
    run("cd " + shell_quote(work.path.string()) + " && timeout 300 soffice -env:UserInstallation=file://" +
        (work / "stock-profile").string() + " --headless --norestore --convert-to docx --outdir " +
        shell_quote((work / "stock").string()) + " hostile.fodt >/dev/null 2>&1");
    int stock_connections = connections.exchange(0);
    CHECK_MESSAGE(stock_connections > 0, "the control run did not fetch the link: the test could not fail");

    auto e = engine_with_office();
    Outcome o = e->process(hostile, "開くと動く.fodt");
    stop = true;
    counter.join();
    ::close(listener);
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    CHECK(connections == 0);
    CHECK_FALSE(std::filesystem::exists(marker));
    CHECK(has_finding(o, "legacy.odf_script"));
    CHECK(has_finding(o, "legacy.event"));
    CHECK(has_finding(o, "legacy.external_link"));
    unzip_list(work, "h.docx", o.outputs[0].bytes);
    std::string all = run("unzip -p " + shell_quote((work / "h.docx").string()) + " 2>/dev/null").out;
    CHECK(all.find("127.0.0.1") == std::string::npos);
    CHECK(ooxml::residual_constructs(work / "h.docx").empty());
}

static void target_pdf() {
    REQUIRE_OFFICE();
    auto e = engine_with_office("[sanitizer.legacy]\ntarget = \"pdf\"\n");
    TempDir work;
    Outcome o = e->process(fixtures().files.at("report.doc"), "様式.doc");
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "pdf");
    CHECK(o.outputs[0].name == "様式.pdf");
    write_file(work / "o.pdf", o.outputs[0].bytes);
    CHECK(run("qpdf --check " + shell_quote((work / "o.pdf").string()) + " >/dev/null 2>&1").status == 0);
    CHECK(run("pdftotext -q " + shell_quote((work / "o.pdf").string()) + " -").out.find("山田太郎") != std::string::npos);
}

static void unreadable_then_next() {
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    // A Word file whose streams are garbage: detected as doc, refused by LibreOffice.
    Outcome bad = e->process(make_cfb({{"WordDocument", std::string(4096, '\xFF')}, {"1Table", std::string(512, '\x7F')}}), "壊れた.doc");
    CHECK(bad.quarantined());
    CHECK(bad.outputs.empty());
    CHECK((bad.reason == "malformed" || bad.reason == "worker.crash"));
    Outcome good = e->process(fixtures().files.at("report.rtf"), "次.rtf");
    CHECK_MESSAGE(!good.quarantined(), (good.reason + ": " + good.reason_detail));
}

TEST_CASE("legacy corpus: real VBA, XLM, OLE, DDE and RTF object files convert to packages without active content, or are held, benign ones convert without a macro finding") {
    auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("../shared/corpus absent: legacy corpus test skipped");
        return;
    }
    REQUIRE_OFFICE();
    auto e = engine_with_office();
    TempDir work;
    int converted = 0, held = 0, n = 0;
    for (const std::string category : {"ole-macro", "xlm-macro", "office-dde", "office-oleobject", "rtf-object", "benign-office"}) {
        if (!std::filesystem::exists(*corpus / category)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(*corpus / category)) {
            std::string ext = entry.path().extension().string();
            if (ext != ".doc" && ext != ".xls" && ext != ".ppt" && ext != ".rtf") continue;
            CAPTURE(entry.path().string());
            Outcome o = e->process(read_whole(entry.path()), entry.path().filename().string());
            ++n;
            if (o.quarantined()) {
                ++held;
                CHECK(o.outputs.empty());
                continue;
            }
            ++converted;
            // Macros are named where they are, and only there (every .ppt has a VBA info atom).
            if (category == "ole-macro") CHECK(has_finding(o, "legacy.vba"));
            if (category == "benign-office") CHECK_FALSE(has_finding(o, "legacy.vba"));
            REQUIRE(o.outputs.size() == 1);
            auto out = work / ("c" + std::to_string(n) + "." + o.outputs[0].type);
            write_file(out, o.outputs[0].bytes);
            CHECK(ooxml::residual_constructs(out).empty());
            CHECK(run("unzip -tq " + shell_quote(out.string()) + " >/dev/null 2>&1").status == 0);
        }
    }
    MESSAGE("legacy corpus: " << n << " files, " << converted << " converted, " << held << " held");
    CHECK(converted > 0);
}

TEST_CASE("legacy scan: a PowerPoint's VBA info reports macros only when it refers to a project") {
    // Every .ppt carries a VBAInfoContainer; its atom says whether a VBA project storage exists
    // (persistIdRef) and holds code (fHasMacros). LibreOffice writes (0, 0, 1) for every presentation.
    auto le = [](std::initializer_list<std::uint32_t> values) {
        std::string s;
        for (std::uint32_t v : values) s.append(reinterpret_cast<const char*>(&v), 4);
        return s;
    };
    auto record = [&](std::uint16_t ver_inst, std::uint16_t type, const std::string& body) {
        return le({std::uint32_t(ver_inst) | (std::uint32_t(type) << 16), std::uint32_t(body.size())}) + body;
    };
    auto vba_found = [](const std::string& powerpoint_document) {
        Engine engine(builtin_registry(), Policy::defaults());
        Budget budget(engine.policy().limits);
        SanitizerOptions none;
        Context ctx(engine, budget, none, 0, "");
        mugaika::legacy::Tally tally;
        mugaika::legacy::scan_cfb(make_cfb({{"PowerPoint Document", powerpoint_document}, {"Current User", std::string(20, '\0')}}),
                                  "ppt", ctx, tally);
        return tally.count("legacy.vba") > 0;
    };
    struct Case { std::uint32_t persist, has_macros; bool vba; };
    for (const Case& c : {Case{0, 0, false}, Case{7, 1, true}, Case{0, 1, true}, Case{7, 0, true}}) {
        CAPTURE(c.persist);
        CAPTURE(c.has_macros);
        std::string atom = record(0x0002, 0x0400, le({c.persist, c.has_macros, 2}));
        CHECK(vba_found(record(0x000F, 0x03E8, record(0x000F, 0x03FF, atom))) == c.vba);
    }
    // A truncated atom is not read past its stream.
    CHECK_FALSE(vba_found(record(0x000F, 0x03E8, record(0x0002, 0x0400, le({0, 1, 2})).substr(0, 12))));
}
