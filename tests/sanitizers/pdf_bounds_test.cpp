// Bounds that must hold however a PDF spells its numbers, and however much drawing a few bytes ask
// for: sizes given by reference, as reals, negative or huge, inline and inside glyphs; nested forms,
// tile storms, Type3 glyphs, annotation appearances and soft masks that multiply the drawing. Every
// hostile file here is written by the test; each must end quarantined with its limit, and promptly.
#include <doctest/doctest.h>

#include "../../gateway/worker/isolated.hpp"
#include "mugaika/reasons.hpp"
#include "pdf_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

// A page whose resources are `resources` and whose content is `content`; `extra` objects from 6 on.
std::string page_pdf(const std::string& resources, const std::string& content, const std::vector<std::string>& extra = {},
                     const std::string& page_extra = "") {
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << " + resources + " >> /Contents 4 0 R " +
            page_extra + " >>",
        pdf::stream(content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    objects.insert(objects.end(), extra.begin(), extra.end());
    return pdf::build(objects);
}

// Streams compressed by qpdf (an independent writer), for contents too large to ship uncompressed.
std::string compressed(const std::string& pdf_bytes) {
    TempDir dir;
    write_file(dir / "in.pdf", pdf_bytes);
    auto r = run("qpdf --stream-data=compress --object-streams=disable " + shell_quote((dir / "in.pdf").string()) + " " +
                 shell_quote((dir / "out.pdf").string()) + " 2>&1");
    REQUIRE((r.status == 0 || r.status == 3));
    return read_whole(dir / "out.pdf");
}

// `levels` form XObjects from object `first` on, each drawing the next `fan` times; the last fills a square.
std::vector<std::string> nested_forms(int levels, int fan, int first = 6, const std::string& leaf = "0 0 1 1 re f") {
    std::vector<std::string> forms;
    for (int i = 0; i < levels; ++i) {
        if (i == levels - 1) {
            forms.push_back(pdf::stream(leaf, "/Type /XObject /Subtype /Form /BBox [0 0 595 842]"));
            break;
        }
        std::string draws;
        for (int k = 0; k < fan; ++k) draws += "/X Do ";
        forms.push_back(pdf::stream(draws, "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X " +
                                               std::to_string(first + 1 + i) + " 0 R >> >>"));
    }
    return forms;
}

Outcome run_pdf(const std::string& bytes, const std::map<std::string, std::string>& options = {}) {
    return pdf::engine(options).process(bytes, "hostile.pdf");
}

void expect_held(const Outcome& o, std::string_view code) {
    CHECK_MESSAGE(o.reason == code, o.reason << ": " << o.reason_detail);
    CHECK(o.quarantined());
    CHECK(o.outputs.empty());
}

const std::string kImageDict = "/Type /XObject /Subtype /Image /ColorSpace /DeviceGray /BitsPerComponent 8";

}  // namespace

TEST_CASE("pdf bounds: an image's size counts however it is written") {
    struct Variant {
        std::string what;
        std::string image_dict;
        std::vector<std::string> more;   // objects 7, 8, ...
    };
    std::vector<Variant> variants = {
        {"by reference", kImageDict + " /Width 7 0 R /Height 8 0 R", {"100000", "100000"}},
        {"a reference to a reference", kImageDict + " /Width 7 0 R /Height 7 0 R", {"8 0 R", "100000"}},
        {"reals", kImageDict + " /Width 100000.5 /Height 99999.9", {}},
        {"negative", kImageDict + " /Width -100000 /Height -100000", {}},
        {"beyond 32 bits", kImageDict + " /Width 99999999999 /Height 3", {}},
        {"abbreviated keys", kImageDict + " /W 100000 /H 100000", {}},
        {"subtype by reference", "/Type /XObject /Subtype 7 0 R /ColorSpace /DeviceGray /BitsPerComponent 8 /Width 100000 /Height 100000",
         {"/Image"}},
    };
    for (const auto& v : variants) {
        CAPTURE(v.what);
        std::vector<std::string> extra = {pdf::stream("\0\0\0\0", v.image_dict)};
        extra.insert(extra.end(), v.more.begin(), v.more.end());
        // Drawn on the page, and merely present in the file: both are measured.
        expect_held(run_pdf(page_pdf("/XObject << /Im 6 0 R >>", "q 100 0 0 100 0 0 cm /Im Do Q", extra)), reason::limit_pixels);
        expect_held(run_pdf(page_pdf("", "0 0 1 1 re f", extra)), reason::limit_pixels);
    }
    // The same spellings of a small size pass.
    auto small = run_pdf(page_pdf("/XObject << /Im 6 0 R >>", "q 100 0 0 100 0 0 cm /Im Do Q",
                                  {pdf::stream(std::string(4, '\x80'), kImageDict + " /Width 7 0 R /Height 8 0 R"), "2", "2.0"}));
    CHECK_MESSAGE(!small.quarantined(), small.reason << ": " << small.reason_detail);
}

TEST_CASE("pdf bounds: inline images and images inside Type3 glyphs are measured as drawn") {
    // Inline: no object to find, only the content stream says how large it is.
    expect_held(run_pdf(page_pdf("", "q 100 0 0 100 0 0 cm BI /W 30000 /H 30000 /BPC 8 /CS /G ID \x01\x02\x03 EI Q")),
                reason::limit_pixels);
    // A Type3 glyph whose procedure is an inline image of 40000 x 40000.
    std::string glyph = "1000 0 0 0 1000 1000 d1 q 1000 0 0 1000 0 0 cm BI /W 40000 /H 40000 /BPC 1 /IM true ID \x01 EI Q";
    expect_held(run_pdf(page_pdf("/Font << /T3 6 0 R >>", "BT /T3 12 Tf 72 700 Td (a) Tj ET",
                                 {"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
                                  "/CharProcs << /a 7 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 "
                                  "/Widths [1000] /Resources << >> >>",
                                  pdf::stream(glyph)})),
                reason::limit_pixels);
}

TEST_CASE("pdf bounds: JBIG2 global segments and sampled functions declare sizes too") {
    // A page information segment (type 48) of 100000 x 100000 in the globals of a tiny JBIG2 image.
    auto be32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
    };
    std::string page_info = be32(0) + std::string("\x30\x00\x01", 3) + be32(19) + be32(100000) + be32(100000) + be32(0) +
                            be32(0) + std::string("\x00\x00\x00", 3);
    std::string eop = be32(1) + std::string("\x31\x00\x01", 3) + be32(0);
    expect_held(run_pdf(page_pdf("/XObject << /Im 6 0 R >>", "q 10 0 0 10 0 0 cm /Im Do Q",
                                 {pdf::stream(eop, "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                                                   "/BitsPerComponent 1 /Filter /JBIG2Decode /DecodeParms << /JBIG2Globals 7 0 R >>"),
                                  pdf::stream(page_info)})),
                reason::limit_pixels);
    // A shading whose sampled function declares 40000 x 40000 samples of three outputs, sizes by reference.
    expect_held(run_pdf(page_pdf("/Shading << /Sh 6 0 R >>", "/Sh sh",
                                 {"<< /ShadingType 1 /ColorSpace /DeviceRGB /Domain [0 1 0 1] /Function 7 0 R >>",
                                  pdf::stream("\0\0\0", "/FunctionType 0 /Domain [0 1 0 1] /Range [0 1 0 1 0 1] /BitsPerSample 8 "
                                                        "/Size [8 0 R 8 0 R]"),
                                  "40000"})),
                reason::limit_pixels);
}

TEST_CASE("pdf bounds: 10^8 draws of nested forms stop promptly with their limit, in bounded memory") {
    // 9 levels that each draw the next 10 times: 10^8 squares from about 2 KB. poppler's abort
    // callback alone never fires here (each nested form restarts its count).
    std::string bomb = page_pdf("/XObject << /X 6 0 R >>", "/X Do", nested_forms(9, 10));
    REQUIRE(bomb.size() < 4096);
    WorkerLimits limits;
    limits.address_space_bytes = 1ull << 30;   // the unbounded drawing grew past 2 GB
    Outcome o = process_isolated(pdf::engine(), bomb, "bomb.pdf", limits);
    expect_held(o, reason::limit_operations);
}

TEST_CASE("pdf bounds: tile storms, glyph and appearance amplification, soft masks, state nesting") {
    const std::map<std::string, std::string> small{{"max_draw_operations", "1000000"}};
    SUBCASE("a pattern whose step is a hair off its cell: poppler draws every one of 5e9 tiles") {
        std::string pattern = pdf::stream("0 0 0.5 0.5 re f", "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 "
                                                              "/BBox [0 0 1 1] /XStep 0.99 /YStep 0.99 /Matrix [0.01 0 0 0.01 0 0] /Resources << >>");
        expect_held(run_pdf(page_pdf("/Pattern << /P 6 0 R >>", "/Pattern cs /P scn 0 0 595 842 re f", {pattern})),
                    reason::limit_operations);
        // A step equal to the cell is repeated by cairo itself: the same tile count is cheap, and released.
        std::string repeated = pdf::stream("0 0 0.5 0.5 re f", "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 "
                                                               "/BBox [0 0 1 1] /XStep 1 /YStep 1 /Matrix [0.01 0 0 0.01 0 0] /Resources << >>");
        auto ok = run_pdf(page_pdf("/Pattern << /P 6 0 R >>", "/Pattern cs /P scn 0 0 595 842 re f", {repeated}));
        CHECK_MESSAGE(!ok.quarantined(), ok.reason << ": " << ok.reason_detail);
    }
    SUBCASE("nested forms behind a Type3 glyph") {
        auto forms = nested_forms(6, 10, 8);   // objects 8.. (6 is the font, 7 the glyph)
        std::vector<std::string> extra = {"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
                                          "/CharProcs << /a 7 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 "
                                          "/Widths [1000] /Resources << /XObject << /X 8 0 R >> >> >>",
                                          pdf::stream("1000 0 d0 /X Do")};
        extra.insert(extra.end(), forms.begin(), forms.end());
        expect_held(run_pdf(page_pdf("/Font << /T3 6 0 R >>", "BT /T3 12 Tf 72 700 Td (a) Tj ET", extra), small),
                    reason::limit_operations);
    }
    SUBCASE("nested forms behind an annotation's appearance") {
        auto forms = nested_forms(6, 10);
        std::vector<std::string> extra = forms;
        // Object 6 is the top form; the annotation (object 6 + forms) shows it.
        int annot = 6 + static_cast<int>(forms.size());
        extra.push_back("<< /Type /Annot /Subtype /Square /F 4 /Rect [0 0 100 100] /AP << /N 6 0 R >> >>");
        expect_held(run_pdf(page_pdf("", "0 0 1 1 re f", extra, "/Annots [" + std::to_string(annot) + " 0 R]"), small),
                    reason::limit_operations);
    }
    SUBCASE("soft-mask groups that each set ten soft masks") {
        // Group i sets ExtGState /G (whose soft mask is group i+1) ten times; poppler draws each mask group.
        std::vector<std::string> extra;
        int levels = 7;
        for (int i = 0; i < levels; ++i) {
            int group = 6 + 2 * i, gs = 7 + 2 * i;
            std::string body = i == levels - 1 ? "0 0 1 1 re f" : "";
            if (i < levels - 1)
                for (int k = 0; k < 10; ++k) body += "/G gs 0 0 1 1 re f ";
            std::string res = i < levels - 1 ? "/Resources << /ExtGState << /G " + std::to_string(gs) + " 0 R >> >>" : "";
            extra.push_back(pdf::stream(body, "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Group << /S /Transparency >> " + res));
            extra.push_back("<< /Type /ExtGState /SMask << /S /Luminosity /G " + std::to_string(group + 2) + " 0 R >> >>");
        }
        expect_held(run_pdf(page_pdf("/ExtGState << /G 7 0 R >>", "/G gs 0 0 595 842 re f", extra), small),
                    reason::limit_operations);
    }
    SUBCASE("many tiny operators") {
        std::string content;
        content.reserve(1 << 24);
        for (int i = 0; i < 1200000; ++i) content += "0 0 1 1 re f\n";
        expect_held(run_pdf(compressed(page_pdf("", content)), small), reason::limit_operations);
    }
    SUBCASE("graphics state nested 20000 deep") {
        std::string content(20000 * 2, ' ');
        for (std::size_t i = 0; i < content.size(); i += 2) content[i] = 'q';
        expect_held(run_pdf(compressed(page_pdf("", content))), reason::limit_memory);
    }
}

TEST_CASE("pdf bounds: the time budget is enforced inside a page") {
    // Enough drawing that only the clock can stop it (the operation budget is set out of reach).
    std::string bomb = page_pdf("/XObject << /X 6 0 R >>", "/X Do", nested_forms(9, 10));
    Policy policy = Policy::defaults();
    policy.options["pdf"]["max_draw_operations"] = "100000000000";
    policy.limits.time_budget = std::chrono::milliseconds(1500);
    Outcome o = Engine(builtin_registry(), policy).process(bomb, "bomb.pdf");
    expect_held(o, reason::limit_time);
}

TEST_CASE("pdf bounds: ordinary documents stay far below the drawing budget") {
    auto o = pdf::engine().process(pdf::cairo_pdf({{595, 842, "Hello"}, {595, 842, "World"}}), "two.pdf");
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
    for (const auto& f : o.findings)
        if (f.kind == "pdf.rebuilt") CHECK(f.detail.find("drawing operations") != std::string::npos);
}
