// Every image of a rebuilt PDF is written from decoded pixels: JPEG again as a fresh JPEG, JPEG 2000,
// JBIG2 and CCITT losslessly. PDFs are made by independent tools (img2pdf embeds image files as
// they are; the JBIG2 stream is assembled here from a G4 strip written by ImageMagick), and the output
// is checked with qpdf, pdfimages and pdftoppm, never with our own parser.
#include <doctest/doctest.h>

#include "image_support.hpp"
#include "pdf_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

const Output& rebuilt(const Outcome& o) {
    REQUIRE_MESSAGE(o.verdict == Verdict::disarmed, (o.reason + " " + o.reason_detail));
    return *pdf::pdf_output(o);
}

// True when some `window`-byte run of `original` appears in `output`.
bool shares_bytes(const std::string& output, const std::string& original, std::size_t window = 32) {
    for (std::size_t at = 0; at + window <= original.size(); at += window / 2)
        if (output.find(original.substr(at, window)) != std::string::npos) return true;
    return false;
}

std::string pdfimages_list(const std::string& pdf) {
    TempDir t;
    write_file(t / "a.pdf", pdf);
    return run("pdfimages -list " + shell_quote((t / "a.pdf").string())).out;
}

// The first page rendered by poppler's pdftoppm (gray, 72 dpi), as a PGM.
std::string page_pixels(const std::string& pdf) {
    TempDir t;
    write_file(t / "a.pdf", pdf);
    run("pdftoppm -gray -r 72 -singlefile " + shell_quote((t / "a.pdf").string()) + " " + shell_quote((t / "p").string()));
    return read_whole(t / "p.pgm");
}

}  // namespace

TEST_CASE("pdf images: a JPEG with a comment and data after EOI is written again as a fresh JPEG") {
    TempDir t;
    image::convert(t, "-size 240x160 gradient:navy-orange -fill red -draw 'circle 120,80 150,100'", "src.png");
    std::string jpeg = image::convert(t, "src.png -quality 85 -set comment '<script>SECRET-COMMENT</script>'", "a.jpg");
    jpeg += "TRAILING-AFTER-EOI" + std::string("MZ\x90\0", 4);
    write_file(t / "a.jpg", jpeg);
    std::string original = image::make_with(t, "img2pdf a.jpg -o a.pdf", "a.pdf");
    REQUIRE(original.find("SECRET-COMMENT") != std::string::npos);   // img2pdf embeds the file as it is

    Outcome o = pdf::engine().process(original, "a.pdf");
    const Output& out = rebuilt(o);
    CHECK(pdf::has_finding(o, "pdf.images"));
    std::string qdf = pdf::qdf(out.bytes);
    CHECK(qdf.find("/DCTDecode") != std::string::npos);   // still a JPEG: size and look stay close
    for (auto bad : {"SECRET-COMMENT", "TRAILING-AFTER-EOI", "<script"}) CHECK(out.bytes.find(bad) == std::string::npos);
    CHECK_FALSE(shares_bytes(out.bytes, jpeg.substr(jpeg.find("\xFF\xDA"))));
    CHECK(pdfimages_list(out.bytes).find("jpeg") != std::string::npos);
    CHECK(out.bytes.size() < original.size() * 3);
    CHECK(image::psnr(page_pixels(original), page_pixels(out.bytes)) >= 30);
}

TEST_CASE("pdf images: JPEG 2000, CCITT G4 and JBIG2 images are written from pixels, losslessly") {
    TempDir t;
    image::convert(t, "-size 200x120 gradient:white-black -fill blue -draw 'rectangle 20,20 80,60'", "src.png");
    std::string jp2 = image::make_with(t, "opj_compress -i src.png -o a.jp2 >/dev/null", "a.jp2");
    image::convert(t, "src.png -type Bilevel -compress Group4 -define tiff:rows-per-strip=1000", "fax.tif");
    std::string jpx_pdf = image::make_with(t, "img2pdf a.jp2 -o jpx.pdf", "jpx.pdf");
    // Without /ColorSpace the JPEG 2000 stream speaks for itself, and poppler hands it to cairo:
    // blanked in place (same length, so the cross-reference table stays right).
    auto cs = jpx_pdf.find("/ColorSpace /DeviceRGB");
    REQUIRE(cs != std::string::npos);
    jpx_pdf.replace(cs, 22, std::string(22, ' '));
    std::string ccitt_pdf = image::make_with(t, "img2pdf fax.tif -o ccitt.pdf", "ccitt.pdf");
    REQUIRE(pdf::qdf(jpx_pdf).find("/JPXDecode") != std::string::npos);
    REQUIRE(pdf::qdf(ccitt_pdf).find("/CCITTFaxDecode") != std::string::npos);

    // A JBIG2 page: page information, an immediate generic region coded with MMR (the G4 strip of
    // fax.tif, which is the same T.6 coding), end of page.
    std::string g4 = image::make_with(t, R"(python3 -c "
import struct
d = open('fax.tif', 'rb').read()
order = '<' if d[:2] == b'II' else '>'
ifd = struct.unpack(order + 'I', d[4:8])[0]
n = struct.unpack(order + 'H', d[ifd:ifd + 2])[0]
tags = {}
for i in range(n):
    tag, typ, cnt, val = struct.unpack(order + 'HHII', d[ifd + 2 + 12 * i: ifd + 14 + 12 * i])
    if typ == 3: val = struct.unpack(order + 'H', d[ifd + 10 + 12 * i: ifd + 12 + 12 * i])[0]
    tags[tag] = val
open('strip.g4', 'wb').write(d[tags[273]: tags[273] + tags[279]])
")", "strip.g4");
    auto be32 = [](std::uint32_t v) {
        return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    };
    std::string region = be32(200) + be32(120) + be32(0) + be32(0) + std::string(1, '\0') + std::string(1, '\x01') + g4;
    std::string jbig2 = be32(0) + "\x30" + std::string(1, '\0') + "\x01" + be32(19) + be32(200) + be32(120) + be32(0) +
                        be32(0) + std::string(1, '\0') + std::string(2, '\0');
    jbig2 += be32(1) + "\x26" + std::string(1, '\0') + "\x01" + be32(static_cast<std::uint32_t>(region.size())) + region;
    jbig2 += be32(2) + "\x31" + std::string(1, '\0') + "\x01" + be32(0);
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 120] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        pdf::stream("q 200 0 0 120 0 0 cm /Im1 Do Q"),
        pdf::stream(jbig2, "/Type /XObject /Subtype /Image /Width 200 /Height 120 /ColorSpace /DeviceGray /BitsPerComponent 1 "
                           "/Filter /JBIG2Decode"),
    };
    std::string jbig2_pdf = pdf::build(objects);

    struct Case {
        std::string name;
        std::string pdf;
        std::string stream;   // the original image bytes
        const char* filter;
    } cases[] = {{"jpx", jpx_pdf, jp2, "/JPXDecode"}, {"ccitt", ccitt_pdf, g4, "/CCITTFaxDecode"}, {"jbig2", jbig2_pdf, g4, "/JBIG2Decode"}};
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Outcome o = pdf::engine().process(c.pdf, c.name + ".pdf");
        const Output& out = rebuilt(o);
        bool lossless_noted = false;
        for (const auto& f : o.findings)
            if (f.kind == "pdf.images") lossless_noted = f.detail.find(", 0 JPEG 2000") == std::string::npos;
        CHECK(lossless_noted);
        std::string qdf = pdf::qdf(out.bytes);
        for (auto filter : {"/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/DCTDecode"}) CHECK_MESSAGE(qdf.find(filter) == std::string::npos, filter);
        CHECK_FALSE(shares_bytes(out.bytes, c.stream));
        std::string list = pdfimages_list(out.bytes);
        CHECK(list.find(" image ") != std::string::npos);
        CHECK(image::psnr(page_pixels(c.pdf), page_pixels(out.bytes)) >= 40);
    }
}
