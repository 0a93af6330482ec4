// Policy options of the PDF sanitizer: links, attachments, and the limits.
#include <doctest/doctest.h>

#include <chrono>

#include "mugaika/reasons.hpp"
#include "mugaika/sanitizer.hpp"
#include "pdf_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

// One page with an https link, a javascript: link and a mailto: link.
std::string links_pdf() {
    auto objects = pdf::one_page("Visible text", "", "/Annots [6 0 R 7 0 R 8 0 R]");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [72 690 300 720] /Border [0 0 0] "
                      "/A << /S /URI /URI (https://www.example.lg.jp/page?a=1&b='x') >> >>");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [72 600 300 630] /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>");
    objects.push_back("<< /Type /Annot /Subtype /Link /Rect [72 500 300 530] /A << /S /URI /URI (mailto:a@example.jp) >> >>");
    return pdf::build(objects);
}

std::string with_attachment(const std::string& name, const std::string& data) {
    auto objects = pdf::one_page("Visible text", "/Names << /EmbeddedFiles << /Names [(" + name + ") 6 0 R] >> >>");
    objects.push_back("<< /Type /Filespec /F (" + name + ") /EF << /F 7 0 R >> >>");
    objects.push_back(pdf::stream(data, "/Type /EmbeddedFile"));
    return pdf::build(objects);
}

}  // namespace

TEST_CASE("pdf links: dropped by default") {
    auto o = pdf::engine().process(links_pdf(), "links.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(pdf::residuals(o.outputs[0].bytes).empty());
    CHECK(pdf::has_finding(o, "pdf.uri"));
}

TEST_CASE("pdf links: https keeps only the http(s) link, at its place") {
    auto o = pdf::engine({{"links", "https"}}).process(links_pdf(), "links.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    const auto& out = o.outputs[0].bytes;
    CHECK(pdf::residuals(out, /*allow_uri=*/true).empty());
    auto q = pdf::qdf(out);
    CHECK(q.find("https://www.example.lg.jp/page?a=1&b=%27x%27") != std::string::npos);
    CHECK(q.find("javascript") == std::string::npos);
    CHECK(q.find("mailto") == std::string::npos);
    // The rectangle is where the original had it (PDF space, origin bottom left).
    CHECK(q.find("72") != std::string::npos);
    CHECK(q.find("690") != std::string::npos);
    CHECK(q.find("720") != std::string::npos);
    int kept = 0, removed = 0;
    for (const auto& f : o.findings)
        if (f.kind == "pdf.uri") (f.action == Action::noted ? kept : removed)++;
    CHECK(kept == 1);
    CHECK(removed == 1);
}

TEST_CASE("pdf attachments: extract releases a clean attachment beside the PDF") {
    auto o = pdf::engine({{"attachments", "extract"}}).process(with_attachment("memo.txt", "会議は10時からです。\n"), "a.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 2);
    CHECK(o.outputs[0].type == "pdf");
    CHECK(pdf::residuals(o.outputs[0].bytes).empty());
    CHECK(o.outputs[1].name == "memo.txt");
    CHECK(o.outputs[1].bytes == "会議は10時からです。\n");
    CHECK(o.held.empty());
    REQUIRE(o.children.size() == 1);
    CHECK(o.children[0].where == "attachment[0]");
}

TEST_CASE("pdf attachments: an executable is held, the PDF itself still goes out") {
    std::string mz = std::string("MZ\x90\x00", 4) + std::string(200, 'A');
    auto o = pdf::engine({{"attachments", "extract"}}).process(with_attachment("invoice.exe", mz), "a.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "pdf");
    REQUIRE(o.held.size() == 1);
    CHECK(o.held[0].where == "attachment[0]");
    CHECK(o.keeps_original());
}

TEST_CASE("pdf limits: too many pages") {
    auto bytes = pdf::cairo_pdf({{595, 842, "one"}, {595, 842, "two"}, {595, 842, "three"}});
    auto o = pdf::engine({{"max_pages", "2"}}).process(bytes, "pages.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "limit.pages");
    CHECK(pdf::engine({{"max_pages", "3"}}).process(bytes, "pages.pdf").verdict == Verdict::disarmed);
}

TEST_CASE("pdf limits: a page larger than the pixel limit") {
    // 14400 pt square at 150 dpi is 30000 x 30000 pixels.
    auto objects = pdf::one_page("Huge page");
    objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R >>";
    auto o = pdf::engine().process(pdf::build(objects), "huge.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "limit.pixels");
}

TEST_CASE("pdf limits: an image declaring 100000 x 100000 pixels (pixel bomb)") {
    auto objects = pdf::one_page("Bomb");
    objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 6 0 R >> >> "
                 "/Contents 4 0 R >>";
    objects[3] = pdf::stream("q 100 0 0 100 72 600 cm /Im0 Do Q");
    objects.push_back(pdf::stream(std::string(64, '\0'), "/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                                                          "/BitsPerComponent 1 /ColorSpace /DeviceGray"));
    auto o = pdf::engine().process(pdf::build(objects), "bomb.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "limit.pixels");
}

TEST_CASE("pdf limits: the time budget is checked while the document is worked on") {
    auto e = pdf::engine();
    const Sanitizer* s = e.registry().by_name("pdf");
    REQUIRE(s);
    auto options = e.policy().options_for("pdf", e.registry());
    Limits limits;
    Budget spent(limits, Budget::Clock::now() - limits.time_budget - std::chrono::seconds(1));
    Context ctx(e, spent, options, 0, "");
    auto bytes = make_pdf("late");
    Input in{bytes, "late.pdf", find_file_type("pdf")};
    try {
        s->sanitize(in, ctx);
        FAIL("no limit.time");
    } catch (const SanitizeError& err) {
        CHECK(err.code() == reason::limit_time);
    }
}

TEST_CASE("pdf options: declared with their defaults and allowed values") {
    auto e = pdf::engine();
    auto options = e.policy().options_for("pdf", e.registry());
    CHECK(options.at("mode") == "reconstruct");
    CHECK(options.at("dpi") == "150");
    CHECK(options.at("links") == "drop");
    CHECK(options.at("attachments") == "drop");
    CHECK_THROWS_AS(parse_policy_text("[sanitizer.pdf]\nmode = \"magic\"\n", "t.toml", e.registry()), ConfigError);
    auto p = parse_policy_text("[sanitizer.pdf]\nmode = \"pixels\"\ndpi = 200\n", "t.toml", e.registry());
    CHECK(p.options_for("pdf", e.registry()).at("dpi") == "200");
}

TEST_CASE("pdf limits: a JBIG2 stream whose segments declare a 100000 x 100000 page (bomb_giant style)") {
    auto be32 = [](std::uint32_t v) {
        return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    };
    // Page information segment: number 0, type 48, no referred segments, page 1, 19 bytes of data.
    std::string jbig2 = be32(0) + "\x30" + std::string(1, '\0') + "\x01" + be32(19) + be32(100000) + be32(100000) +
                        be32(0) + be32(0) + std::string(3, '\0');
    jbig2 += be32(1) + "\x33" + std::string(1, '\0') + "\x01" + be32(0);   // end of file
    auto objects = pdf::one_page("Bomb");
    // Used as page content, as the corpus file does: nothing calls it an image.
    objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 6 0 R] "
                 "/Resources << /Font << /F1 5 0 R >> >> >>";
    objects.push_back(pdf::stream(jbig2, "/Filter /JBIG2Decode"));
    auto o = pdf::engine().process(pdf::build(objects), "jbig2.pdf");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "limit.pixels");
    // The same segments declaring a small page pass.
    auto small = jbig2;
    small.replace(11, 8, be32(100) + be32(100));
    objects.back() = pdf::stream(small, "/Filter /JBIG2Decode");
    CHECK(pdf::engine().process(pdf::build(objects), "jbig2.pdf").verdict == Verdict::disarmed);
}
