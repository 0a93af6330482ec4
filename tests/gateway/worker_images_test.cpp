// Pictures inside the sandboxed worker (the path every item of the service takes): each decoder runs
// under the disarm seccomp profile, the empty read-only root and the worker's rlimits, and the PDF
// writer's image interposer is part of mugaika-worker too. Outputs are read with independent tools
// (image_check.py, identify, qpdf, pdfimages, unzip through ooxml_support), never with our parsers.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../sanitizers/image_support.hpp"
#include "../sanitizers/ooxml_support.hpp"
#include "../sanitizers/pdf_support.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"
#include "worker/isolated.hpp"
#include "worker_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

// Generous bounds: a loaded CI machine decodes HEVC slowly, and a time-out would hide what we test.
WorkerLimits roomy() { return limits_within(std::chrono::seconds(60), 30); }

const Engine& engine() {
    static Engine e(builtin_registry(), Policy::defaults());
    return e;
}

Outcome in_worker(const std::string& bytes, const std::string& name) {
    Outcome o = process_isolated(engine(), bytes, name, roomy());
    INFO(name << ": " << o.reason << " " << o.reason_detail);
    return o;
}

bool has_finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

// pdfimages -j writes DCT streams as the .jpg files they are; the rest as PPM/PBM.
std::vector<std::string> pdf_jpegs(const std::string& pdf) {
    TempDir t;
    write_file(t / "a.pdf", pdf);
    auto r = run("pdfimages -j " + shell_quote((t / "a.pdf").string()) + " " + shell_quote((t / "img").string()));
    REQUIRE(r.status == 0);
    std::vector<std::string> out;
    for (const auto& p : files_in(t.path))
        if (p.extension() == ".jpg") out.push_back(read_whole(p));
    return out;
}

}  // namespace

TEST_CASE("worker images: every picture type is decoded and rebuilt inside the sandbox") {
    TempDir t;
    image::convert(t, "-size 120x80 gradient:navy-orange -fill red -draw 'rectangle 5,5 40,30'", "src.png");
    const std::string trailer = "HIDDEN-TRAILER" + make_zip({{"payload.exe", "MZ\x90 This program cannot be run in DOS mode"}});
    struct Case {
        std::string name;
        std::string bytes;
        std::string out_ext;
    };
    std::vector<Case> cases = {
        {"a.jpg", image::convert(t, "src.png -quality 85 -set comment 'HIDDEN-COMMENT'", "a.jpg") + trailer, ".jpg"},
        {"a.png", image::convert(t, "src.png -set comment 'HIDDEN-COMMENT'", "a.png") + trailer, ".png"},
        {"a.gif", image::convert(t, "-delay 20 src.png \\( src.png -negate \\) -loop 0 -comment 'HIDDEN-COMMENT'", "a.gif") + trailer, ".gif"},
        {"a.bmp", image::convert(t, "src.png", "a.bmp"), ".png"},
        {"a.tif", image::convert(t, "src.png \\( src.png -negate \\) -compress LZW -set comment 'HIDDEN-COMMENT'", "a.tif"), ".png"},
        {"a.webp", image::make_with(t, "cwebp -quiet -q 85 src.png -o a.webp", "a.webp"), ".jpg"},
        // libde265 decodes with a worker thread of its own (clone for a thread: allowed, no namespace flag).
        {"IMG_0001.HEIC", image::make_with(t, "heif-enc -q 90 src.png -o a.heic >/dev/null", "a.heic"), ".jpg"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Outcome o = in_worker(c.bytes, c.name);
        REQUIRE(o.verdict == Verdict::disarmed);
        REQUIRE_FALSE(o.outputs.empty());
        for (const auto& out : o.outputs) {
            CAPTURE(out.name);
            CHECK(out.name.ends_with(c.out_ext));
            CHECK(image::identify(out.bytes, "%w %h") == "120 80");
            auto s = image::structure(out.bytes);
            if (s["format"] != "other") CHECK(s["trailing"] == 0);
            for (auto bad : {"HIDDEN-", "PK\x03\x04", "This program"}) CHECK(out.bytes.find(bad) == std::string::npos);
        }
    }
}

TEST_CASE("worker images: an SVG with text, a filter and an embedded picture is drawn inside the sandbox") {
    // Text is drawn with the fonts the root holds (read-only); the blur runs librsvg's filter code,
    // which would start a rayon thread pool as wide as the machine: the worker pins it to one thread.
    TempDir t;
    std::string png = image::convert(t, "-size 16x16 xc:blue", "i.png");
    std::string b64 = run("base64 -w0 " + shell_quote((t / "i.png").string())).out;
    std::string svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"200\" height=\"100\">"
        "<defs><filter id=\"b\"><feGaussianBlur stdDeviation=\"3\"/></filter></defs>"
        "<rect width=\"200\" height=\"100\" fill=\"white\"/>"
        "<circle cx=\"50\" cy=\"50\" r=\"30\" fill=\"red\" filter=\"url(#b)\"/>"
        "<image x=\"150\" y=\"10\" width=\"16\" height=\"16\" xlink:href=\"data:image/png;base64," + b64 + "\"/>"
        "<text x=\"90\" y=\"60\" font-family=\"IPAGothic, sans-serif\" font-size=\"30\" fill=\"black\">日本</text>"
        "<text x=\"90\" y=\"95\" font-family=\"/etc/passwd\" font-size=\"12\">A</text></svg>";
    Outcome o = in_worker(svg, "logo.svg");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].name == "logo.png");
    CHECK(has_finding(o, "svg.rasterized"));
    CHECK(image::identify(o.outputs[0].bytes, "%w %h") == "200 100");
    // The text was drawn: the area under it is not blank (ImageMagick's mean of that crop).
    write_file(t / "out.png", o.outputs[0].bytes);
    auto mean = run(image::kConvert + " " + shell_quote((t / "out.png").string()) +
                    " -crop 60x35+90+28 -colorspace Gray -format '%[fx:mean]' info:");
    REQUIRE(mean.status == 0);
    CHECK(std::atof(mean.out.c_str()) < 0.97);
    // ...with the same fonts as outside the sandbox: the picture is the one the unconfined engine draws
    // (a missing font would give other glyphs or boxes).
    Outcome outside = engine().process(svg, "logo.svg");
    REQUIRE(outside.verdict == Verdict::disarmed);
    CHECK(image::psnr(outside.outputs[0].bytes, o.outputs[0].bytes) >= 60);

    auto j = nlohmann::json::parse(check_sandbox(roomy()).report_json);
    CHECK(j["library_threads"]["rayon"] == "1");
}

TEST_CASE("worker images: a PDF's JPEG with a comment and data after EOI is re-encoded inside the worker") {
    TempDir t;
    image::convert(t, "-size 240x160 gradient:navy-orange -fill red -draw 'circle 120,80 150,100'", "src.png");
    std::string jpeg = image::convert(t, "src.png -quality 85 -set comment 'SECRET-COMMENT<script>'", "a.jpg");
    jpeg += "TRAILING-AFTER-EOI" + std::string("MZ\x90\0", 4);
    write_file(t / "a.jpg", jpeg);
    std::string original = image::make_with(t, "img2pdf a.jpg -o a.pdf", "a.pdf");
    REQUIRE(original.find("SECRET-COMMENT") != std::string::npos);   // img2pdf embeds the file as it is
    REQUIRE(original.find("TRAILING-AFTER-EOI") != std::string::npos);

    Outcome o = in_worker(original, "写真.pdf");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(has_finding(o, "pdf.images"));
    const std::string& out = o.outputs[0].bytes;
    // qpdf uncompresses every stream: the original bytes are nowhere, not even inside a Flate stream.
    std::string qdf = pdf::qdf(out);
    REQUIRE_FALSE(qdf.empty());
    for (auto bad : {"SECRET-COMMENT", "TRAILING-AFTER-EOI", "<script"}) {
        CHECK(out.find(bad) == std::string::npos);
        CHECK(qdf.find(bad) == std::string::npos);
    }
    CHECK(qdf.find("/DCTDecode") != std::string::npos);
    std::string scan = jpeg.substr(jpeg.find("\xFF\xDA"), 64);
    CHECK(qdf.find(scan) == std::string::npos);   // not the original entropy-coded data either
    auto jpegs = pdf_jpegs(out);
    REQUIRE(jpegs.size() == 1);
    auto s = image::structure(jpegs[0]);
    CHECK(s["trailing"] == 0);
    for (const auto& m : s["markers"]) CHECK_MESSAGE(m != "FE", "a comment segment in the re-encoded JPEG");
    CHECK(image::identify(jpegs[0], "%w %h") == "240 160");
}

TEST_CASE("worker images: an Office document's pictures are rebuilt inside the worker") {
    TempDir t;
    image::convert(t, "-size 80x50 gradient:navy-orange", "src.png");
    std::string png = read_whole(t / "src.png") + "PK\x03\x04zip-after-IEND";
    std::string jpeg = image::convert(t, "src.png -quality 85 -set comment '<script>alert(1)</script>'", "a.jpg") + "MZ-after-EOI";
    ooxml::Docx d;
    d.body = "<w:p><w:r><w:t>写真</w:t></w:r></w:p>";
    d.doc_rels = ooxml::rel("rIdPng", "image", "media/image1.png") + ooxml::rel("rIdJpg", "image", "media/image2.jpeg");
    d.parts = {{"word/media/image1.png", png}, {"word/media/image2.jpeg", jpeg}};
    d.types = {{"/word/media/image1.png", "image/png"}, {"/word/media/image2.jpeg", "image/jpeg"}};
    Outcome o = in_worker(d.build(), "報告書.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    ooxml::Unzipped z(o.outputs[0].bytes);
    for (auto name : {"word/media/image1.png", "word/media/image2.jpeg"}) {
        CAPTURE(name);
        std::string part = z.part(name);
        REQUIRE_FALSE(part.empty());
        CHECK(image::structure(part)["trailing"] == 0);
        for (auto bad : {"<script", "zip-after", "MZ-after"}) CHECK(part.find(bad) == std::string::npos);
        CHECK(image::identify(part, "%w %h") == "80 50");
    }
}
