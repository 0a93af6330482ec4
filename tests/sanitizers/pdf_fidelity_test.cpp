// The rebuilt PDF keeps what people read: text (ASCII and Japanese) stays text, pages keep their
// number and size, and only a cleaned title crosses over.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "pdf_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

TEST_CASE("pdf: reconstruct keeps ASCII text selectable") {
    auto e = pdf::engine();
    auto o = e.process(make_pdf("Hello mugaika 12345"), "hello.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "pdf");
    CHECK(o.outputs[0].name == "hello.pdf");
    CHECK(pdf::pdftotext(o.outputs[0].bytes).find("Hello mugaika 12345") != std::string::npos);
    CHECK(pdf::residuals(o.outputs[0].bytes).empty());
    CHECK(pdf::has_finding(o, "pdf.rebuilt"));
    CHECK(!pdf::has_finding(o, "pdf.invisible_text"));
}

TEST_CASE("pdf: Japanese text drawn with IPAGothic stays searchable Japanese text") {
    const std::string ja = "無害化のテスト文書です。令和六年度予算";
    auto original = pdf::cairo_pdf({{595, 842, ja}}, "IPAGothic");
    REQUIRE(pdf::pdftotext(original).find(ja) != std::string::npos);   // the fixture itself is right
    auto o = pdf::engine().process(original, "ja.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(pdf::pdftotext(o.outputs[0].bytes).find(ja) != std::string::npos);
    // The font travels inside the output (no reliance on the reader's fonts).
    CHECK(pdf::qdf(o.outputs[0].bytes).find("/FontFile") != std::string::npos);
}

TEST_CASE("pdf: page count and page sizes are kept") {
    std::vector<pdf::PageSpec> pages{{595, 842, "page one"}, {1191, 842, "page two"}, {612, 792, "page three"}};
    auto o = pdf::engine().process(pdf::cairo_pdf(pages), "sizes.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    auto info = pdf::pdfinfo(o.outputs[0].bytes);
    REQUIRE(info.pages == 3);
    REQUIRE(info.sizes.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(info.sizes[i].first == doctest::Approx(pages[i].width).epsilon(0.001));
        CHECK(info.sizes[i].second == doctest::Approx(pages[i].height).epsilon(0.001));
    }
    auto text = pdf::pdftotext(o.outputs[0].bytes);
    for (const auto& p : pages) CHECK(text.find(p.text) != std::string::npos);
}

TEST_CASE("pdf: a rotated page looks the same: its rotation is drawn into the page") {
    auto objects = pdf::one_page("Rotated text", "", "/Rotate 90");
    auto o = pdf::engine().process(pdf::build(objects), "rotated.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    auto info = pdf::pdfinfo(o.outputs[0].bytes);
    REQUIRE(info.sizes.size() == 1);
    // A4 portrait shown at 90 degrees is a landscape page to the reader.
    CHECK(info.sizes[0].first == doctest::Approx(842));
    CHECK(info.sizes[0].second == doctest::Approx(595));
    // pdftotext splits glyphs of rotated text with spaces (as it does for pdftocairo's output too).
    std::string text;
    for (char c : pdf::pdftotext(o.outputs[0].bytes))
        if (!std::isspace(static_cast<unsigned char>(c))) text += c;
    CHECK(text.find("Rotatedtext") != std::string::npos);
}

TEST_CASE("pdf: only a cleaned title is carried over, producer is mugaika") {
    auto original = pdf::cairo_pdf({{595, 842, "x"}}, "sans-serif",
                                   {{CAIRO_PDF_METADATA_TITLE, "予算書\xE2\x80\xAE(draft)\x01 2024"},
                                    {CAIRO_PDF_METADATA_AUTHOR, "Secret Author"},
                                    {CAIRO_PDF_METADATA_KEYWORDS, "internal-keyword"}});
    auto o = pdf::engine().process(original, "meta.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    auto info = pdf::pdfinfo(o.outputs[0].bytes);
    CHECK(info.title == "予算書(draft) 2024");   // the bidi override and the control character are gone
    CHECK(info.producer == "mugaika");
    CHECK(info.author.empty());
    CHECK(pdf::qdf(o.outputs[0].bytes).find("internal-keyword") == std::string::npos);
}

TEST_CASE("pdf: pixel mode makes image-only pages of the same size") {
    std::vector<pdf::PageSpec> pages{{595, 842, "Pixel text one"}, {842, 595, "Pixel text two"}};
    auto o = pdf::engine({{"mode", "pixels"}, {"dpi", "100"}}).process(pdf::cairo_pdf(pages), "pixels.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    const auto& out = o.outputs[0].bytes;
    auto info = pdf::pdfinfo(out);
    REQUIRE(info.pages == 2);
    CHECK(info.sizes[0].first == doctest::Approx(595));
    CHECK(info.sizes[1].first == doctest::Approx(842));
    CHECK(pdf::pdftotext(out).find("Pixel") == std::string::npos);   // no text layer at all
    CHECK(pdf::qdf(out).find("/Font") == std::string::npos);
    // One image per page at the requested resolution (595 pt at 100 dpi = 827 px).
    TempDir dir;
    write_file(dir / "p.pdf", out);
    auto list = run("pdfimages -list " + shell_quote((dir / "p.pdf").string())).out;
    CHECK(list.find(" 827 ") != std::string::npos);
    CHECK(list.find(" 1170 ") != std::string::npos);
    CHECK(pdf::residuals(out).empty());
}

TEST_CASE("pdf: a broken cross-reference table is repaired by reconstruction") {
    auto good = pdf::build(pdf::one_page("Broken xref survives"));
    std::string broken = good;
    // Every offset in the table now points at the wrong place, and startxref points nowhere.
    auto xref = broken.find("xref\n");
    for (auto p = broken.find(" 00000 n", xref); p != std::string::npos; p = broken.find(" 00000 n", p + 1))
        broken.replace(p - 10, 10, "0000000007");
    broken.replace(broken.rfind("startxref\n") + 10, std::to_string(xref).size(), std::string(std::to_string(xref).size(), '9'));
    auto o = pdf::engine().process(broken, "broken.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(pdf::pdftotext(o.outputs[0].bytes).find("Broken xref survives") != std::string::npos);
    CHECK(pdf::residuals(o.outputs[0].bytes).empty());
}

TEST_CASE("pdf: invisible text (the OCR layer of a scan) stays searchable and unseen") {
    auto objects = pdf::one_page("Visible text");
    objects[3] = pdf::stream("BT /F1 18 Tf 72 700 Td (Visible text) Tj ET "
                             "BT 3 Tr /F1 24 Tf 72 500 Td (Invisible OCR words) Tj ET");
    auto o = pdf::engine().process(pdf::build(objects), "scan.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    const auto& out = o.outputs[0].bytes;
    auto text = pdf::pdftotext(out);
    CHECK(text.find("Visible text") != std::string::npos);
    CHECK(text.find("Invisible OCR words") != std::string::npos);
    CHECK(pdf::has_finding(o, "pdf.invisible_text"));
    // Rendered, the band of the invisible words (y 500 from the bottom: rows 318-350 at 72 dpi) is blank.
    TempDir dir;
    write_file(dir / "out.pdf", out);
    auto r = run("pdftoppm -r 72 -gray -x 60 -y 318 -W 400 -H 34 " + shell_quote((dir / "out.pdf").string()) + " " +
                 shell_quote((dir / "band").string()));
    REQUIRE(r.status == 0);
    auto pgm = read_whole(dir / "band-1.pgm");
    REQUIRE(pgm.size() > 400 * 34);
    auto darkest = static_cast<unsigned char>(255);
    for (std::size_t i = pgm.size() - 400 * 34; i < pgm.size(); ++i)
        darkest = std::min(darkest, static_cast<unsigned char>(pgm[i]));
    CHECK(darkest >= 250);
    // The same check sees the visible words (rows 124-148), so it can fail.
    r = run("pdftoppm -r 72 -gray -x 60 -y 124 -W 400 -H 24 " + shell_quote((dir / "out.pdf").string()) + " " +
            shell_quote((dir / "visible").string()));
    auto visible = read_whole(dir / "visible-1.pgm");
    REQUIRE(visible.size() > 400 * 24);
    darkest = 255;
    for (std::size_t i = visible.size() - 400 * 24; i < visible.size(); ++i)
        darkest = std::min(darkest, static_cast<unsigned char>(visible[i]));
    CHECK(darkest < 128);
}

TEST_CASE("pdf: invisible text inside a form XObject laid over the page (ocrmypdf style) is kept") {
    auto objects = pdf::one_page("Visible text");
    objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 "/Resources << /Font << /F1 5 0 R >> /XObject << /Ocr 6 0 R >> >> >>";
    objects[3] = pdf::stream("BT /F1 18 Tf 72 700 Td (Visible text) Tj ET q /Ocr Do Q");
    objects.push_back(pdf::stream("BT 7 Tr /F1 20 Tf 72 400 Td (Searchable layer) Tj ET",
                                  "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"));
    auto o = pdf::engine().process(pdf::build(objects), "ocr.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(pdf::pdftotext(o.outputs[0].bytes).find("Searchable layer") != std::string::npos);
    CHECK(pdf::residuals(o.outputs[0].bytes).empty());
}
