// Pictures inside Office documents: every media part and the thumbnail are rebuilt from their pixels
// under their own part names; EMF/WMF and pictures that cannot be rebuilt become placeholders. The
// output is read with unzip, image_check.py and identify, and opened by LibreOffice.
#include <doctest/doctest.h>

#include "image_support.hpp"
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

namespace {

std::string picture(const std::string& rid, int id) {
    const std::string cx = "1800000", cy = "1200000";
    return "<w:p><w:r><w:drawing><wp:inline xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\">"
           "<wp:extent cx=\"" + cx + "\" cy=\"" + cy + "\"/><wp:docPr id=\"" + std::to_string(id) + "\" name=\"Picture " +
           std::to_string(id) + "\"/><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
           "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"" +
           std::to_string(id) + "\" name=\"p" + std::to_string(id) + "\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"" +
           rid + "\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"" + cx +
           "\" cy=\"" + cy + "\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>"
           "</a:graphic></wp:inline></w:drawing></w:r></w:p>";
}

// An EMF header (rclFrame 40 x 30 mm) followed by records nobody should ever interpret.
std::string hostile_emf() {
    auto le32 = [](std::uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
    std::string s = le32(1) + le32(88) + le32(0) + le32(0) + le32(399) + le32(299) + le32(0) + le32(0) + le32(3999) + le32(2999) +
                    " EMF" + le32(0x10000) + le32(0) + le32(3) + std::string(4, '\0') + std::string(12, '\0') +
                    le32(1920) + le32(1080) + le32(508) + le32(286);
    s += le32(0x46) + le32(44) + std::string(36, 'A');   // EMR_GDICOMMENT carrying whatever an exploit wants
    s += le32(14) + le32(20) + le32(0) + le32(16) + le32(20);
    return s;
}

}  // namespace

TEST_CASE("image ooxml: every picture is rebuilt under its own name, EMF and non-pictures become placeholders, LibreOffice shows them") {
    TempDir t;
    image::convert(t, "-size 160x100 gradient:navy-orange -fill red -draw 'rectangle 10,10 60,40'", "src.png");
    std::string png = read_whole(t / "src.png") + make_zip({{"payload.exe", "MZ\x90 This program cannot be run in DOS mode"}});
    std::string jpeg = image::convert(t, "src.png -quality 85 -set comment '<script>alert(1)</script>'", "a.jpg") + "MZ-after-EOI";
    std::string gif = image::convert(t, "src.png -colors 64 -comment '*/=1;alert(1)//'", "a.gif") + "<html>";
    std::string tiff = image::convert(t, "src.png -compress LZW", "a.tif");
    std::string thumb = image::convert(t, "src.png -resize 40x25", "thumb.jpeg") + "data after EOI";

    Docx d;
    d.body = "<w:p><w:r><w:t>写真入り報告書</w:t></w:r></w:p>" + picture("rIdPng", 1) + picture("rIdJpg", 2) + picture("rIdGif", 3) +
             picture("rIdTif", 4) + picture("rIdEmf", 5) + picture("rIdExe", 6);
    d.doc_rels = rel("rIdPng", "image", "media/image1.png") + rel("rIdJpg", "image", "media/image2.jpeg") +
                 rel("rIdGif", "image", "media/image3.gif") + rel("rIdTif", "image", "media/image4.tiff") +
                 rel("rIdEmf", "image", "media/image5.emf") + rel("rIdExe", "image", "media/image6.png");
    d.package_rels = rel("rIdThumb", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
                         "docProps/thumbnail.jpeg");
    d.parts = {{"word/media/image1.png", png},       {"word/media/image2.jpeg", jpeg}, {"word/media/image3.gif", gif},
               {"word/media/image4.tiff", tiff},     {"word/media/image5.emf", hostile_emf()},
               {"word/media/image6.png", std::string("MZ\x90\0\x03\0\0\0", 8) + "This program cannot be run in DOS mode"},
               {"docProps/thumbnail.jpeg", thumb}};
    d.types = {{"/word/media/image1.png", "image/png"},   {"/word/media/image2.jpeg", "image/jpeg"},
               {"/word/media/image3.gif", "image/gif"},   {"/word/media/image4.tiff", "image/tiff"},
               {"/word/media/image5.emf", "image/x-emf"}, {"/word/media/image6.png", "image/png"},
               {"/docProps/thumbnail.jpeg", "image/jpeg"}};
    Outcome o = sanitize(d.build(), "報告書.docx");
    REQUIRE_MESSAGE(o.verdict == Verdict::disarmed, (o.reason + " " + o.reason_detail));
    CHECK(has_finding(o, "ooxml.image.vector"));
    CHECK(has_finding(o, "ooxml.image"));
    REQUIRE(o.held.size() == 1);   // the executable posing as a picture; the document itself is released
    CHECK(o.held[0].where == "word/media/image6.png");

    Unzipped z(o.outputs[0].bytes);
    const std::map<std::string, std::string> inputs = {{"word/media/image1.png", png},   {"word/media/image2.jpeg", jpeg},
                                                       {"word/media/image3.gif", gif},   {"word/media/image4.tiff", tiff},
                                                       {"docProps/thumbnail.jpeg", thumb}};
    for (const auto& [name, original] : inputs) {
        CAPTURE(name);
        std::string part = z.part(name);
        REQUIRE_FALSE(part.empty());
        CHECK(part != original);
        auto s = image::structure(part);
        CHECK(s["format"] != "other");
        CHECK(s["trailing"] == 0);
        for (auto bad : {"<script", "alert(", "MZ-after", "This program", "PK\x03\x04", "<html>", "after EOI"}) CHECK(part.find(bad) == std::string::npos);
        CHECK(image::psnr(name.ends_with("tiff") ? tiff : original, part) >= 30);
    }
    std::string types = z.part("[Content_Types].xml");
    CHECK(types.find("PartName=\"/word/media/image4.tiff\" ContentType=\"image/png\"") != std::string::npos);
    std::string emf = z.part("word/media/image5.emf");
    CHECK(emf.substr(40, 4) == " EMF");
    CHECK(emf.find("AAAA") == std::string::npos);
    CHECK(z.part("word/media/image6.png").starts_with("\x89PNG"));
    CHECK(image::identify(z.part("word/media/image6.png"), "%w") != "");

    if (!soffice_available()) {
        MESSAGE("soffice not installed (scripts/install-deps.sh --test): LibreOffice check skipped");
        return;
    }
    TempDir work;
    write_file(work / "rebuilt.docx", o.outputs[0].bytes);
    auto text = libreoffice_text(work, {work / "rebuilt.docx"});
    CHECK(text["rebuilt"].find("写真入り報告書") != std::string::npos);
    auto list = run("pdfimages -list " + shell_quote((work / "pdf" / "rebuilt.pdf").string())).out;
    int images = 0;
    for (std::size_t at = list.find('\n', list.find("-----")); at != std::string::npos && at + 1 < list.size(); at = list.find('\n', at + 1))
        ++images;
    CHECK(images >= 5);   // PNG, JPEG, GIF, TIFF (now PNG) and the placeholder PNG are shown
}
