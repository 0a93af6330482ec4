// Bounds on what the XML parser and the cleaners are given: attribute and namespace counts that would
// make libxml2 quadratic are refused before it parses, UTF-16 parts are read as what they are, and
// large counts of the constructs that used to cost quadratic time (OLE frames, nested fields,
// alternate content, formulas) are handled in one pass. Speed itself is measured in bench/ooxml (no
// timing assertions here).
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

TEST_CASE("ooxml bounds: thousands of attributes or namespace declarations are refused before parsing") {
    std::string attrs;
    for (int i = 0; i < 5000; ++i) attrs += " a" + std::to_string(i) + "=\"1\"";
    Docx d;
    d.body = "<w:p" + attrs + "><w:r><w:t>x</w:t></w:r></w:p>";
    Outcome o = sanitize(d.build(), "attrs.docx");
    CHECK(o.quarantined());
    CHECK(o.reason == "malformed");
    CHECK(o.reason_detail.find("attributes") != std::string::npos);

    std::string open, close;
    for (int level = 0; level < 40; ++level) {
        std::string decl;
        for (int i = 0; i < 20; ++i) decl += " xmlns:p" + std::to_string(level) + "_" + std::to_string(i) + "=\"urn:x:" + std::to_string(i) + "\"";
        open += "<w:p" + decl + ">";
        close += "</w:p>";
    }
    Docx ns;
    ns.body = open + close;
    Outcome n = sanitize(ns.build(), "ns.docx");
    CHECK(n.quarantined());
    CHECK(n.reason_detail.find("namespaces") != std::string::npos);

    // Tricks around the scan: '>' and '=' inside values and comments count for nothing.
    Docx fine;
    fine.body = "<!-- <w:p a=1 b=2 > --><w:p><w:r><w:t xml:space=\"preserve\">a=b&gt;c</w:t></w:r></w:p>"
                "<w:p w:rsidR=\"00A1\" w:rsidRDefault = '00A1'><w:r><w:t>ok</w:t></w:r></w:p>";
    Outcome f = sanitize(fine.build(), "fine.docx");
    REQUIRE_MESSAGE(!f.quarantined(), f.reason_detail);
}

TEST_CASE("ooxml bounds: a UTF-16 part is read as UTF-16, any other encoding is refused") {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><w:document xmlns:w=\"" + W_NS +
                      "\"><w:body><w:p><w:r><w:t>UTF-16の本文</w:t></w:r></w:p></w:body></w:document>";
    // UTF-8 to UTF-16LE with a BOM, written by hand (not with the sanitizer's code).
    std::u16string u16;
    for (std::size_t i = 0; i < xml.size();) {
        auto c = static_cast<unsigned char>(xml[i]);
        char32_t cp;
        int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(xml[i + k]) & 0x3F);
        i += len;
        u16 += static_cast<char16_t>(cp);
    }
    std::string bytes = "\xFF\xFE";
    for (char16_t u : u16) {
        bytes += static_cast<char>(u & 0xFF);
        bytes += static_cast<char>(u >> 8);
    }
    PackageSpec s;
    s.content_types = {{"/word/document.xml", CT + "wordprocessingml.document.main+xml"}};
    s.rels = {{"", rel("rId1", "officeDocument", "word/document.xml")}};
    s.parts = {{"word/document.xml", bytes}};
    Outcome o = sanitize(make_package(s), "u16.docx");
    REQUIRE_MESSAGE(!o.quarantined(), o.reason_detail);
    CHECK(Unzipped(o.outputs[0].bytes).part("word/document.xml").find("UTF-16の本文") != std::string::npos);

    s.parts = {{"word/document.xml", "<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><w:document xmlns:w=\"" + W_NS +
                                         "\"><w:body><w:p><w:r><w:t>\x1b$B$3$s\x1b(B</w:t></w:r></w:p></w:body></w:document>"}};
    Outcome jis = sanitize(make_package(s), "jis.docx");
    CHECK(jis.quarantined());
}

TEST_CASE("ooxml bounds: many OLE frames, deeply nested fields, alternate content and formulas in one pass") {
    Pptx p;
    std::string frames;
    for (int i = 0; i < 3000; ++i)
        frames += "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"" + std::to_string(i + 10) +
                  "\" name=\"o\"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"1\" cy=\"1\"/></p:xfrm>"
                  "<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/presentationml/2006/ole\"><p:oleObj progId=\"Package\" r:id=\"rIdOle\"><p:embed/></p:oleObj></a:graphicData></a:graphic></p:graphicFrame>";
    p.slides.push_back({Pptx::text_shape(2, "多数の枠") + frames, rel("rIdOle", "oleObject", "../embeddings/o.bin")});
    p.parts = {{"ppt/embeddings/o.bin", make_cfb({{"\x01Ole10Native", "MZ"}})}};
    Outcome po = sanitize(p.build(), "frames.pptx");
    checked_package(po);
    std::string slide = Unzipped(po.outputs[0].bytes).part("ppt/slides/slide1.xml");
    CHECK(slide.find("oleObj") == std::string::npos);
    CHECK(slide.find("多数の枠") != std::string::npos);

    std::string nested;
    const int depth = 2500;   // the part stays under 1 MiB, where the zip ratio limit starts
    for (int i = 0; i < depth; ++i) nested += R"(<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE </w:instrText></w:r>)";
    for (int i = 0; i < depth; ++i) nested += R"(<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>r</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>)";
    std::string alternates;
    for (int i = 0; i < 1500; ++i)
        alternates += "<mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><mc:Choice Requires=\"x\" xmlns:x=\"urn:x\"><w:r><w:t>c</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>f</w:t></w:r></mc:Fallback></mc:AlternateContent>";
    Docx d;
    d.body = "<w:p>" + nested + "</w:p><w:p>" + alternates + "</w:p>";
    Outcome wo = sanitize(d.build(), "nested.docx");
    auto j = checked_package(wo);
    for (const auto& f : j["fields"]) CHECK_FALSE(f["nested"].get<bool>());
    std::string doc = Unzipped(wo.outputs[0].bytes).part("word/document.xml");
    CHECK(doc.find("AlternateContent") == std::string::npos);
    CHECK(doc.find("<w:t>c</w:t>") == std::string::npos);
}

TEST_CASE("ooxml bounds: unwrapping alternate content keeps every element in its namespace") {
    // The kept branch uses prefixes declared on mc:AlternateContent and mc:Choice; the paragraph
    // around them binds one of those prefixes to another namespace. After unwrapping, each element
    // must still be in the namespace it had (read back by Python's xml.etree, which resolves prefixes
    // itself), and thousands of redeclarations elsewhere cost no more than a walk.
    std::string many;
    for (int i = 0; i < 4000; ++i) many += "<w:p xmlns:w=\"" + W_NS + "\" xmlns:q=\"urn:example:q" + std::to_string(i) + "\"><w:r><w:t>" + std::to_string(i) + "</w:t></w:r></w:p>";
    Docx d;
    d.body = many +
             "<w:p xmlns:q=\"urn:example:outer\" xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\"><q:before/>"
             "<mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" xmlns:q=\"urn:example:inner\">"
             "<mc:Choice Requires=\"wps\" xmlns:z=\"urn:example:z\"><w:r><w:t>残る枝</w:t></w:r><q:inner z:attr=\"1\"/><z:zed/></mc:Choice>"
             "<mc:Fallback><w:r><w:t>消える枝</w:t></w:r></mc:Fallback></mc:AlternateContent><q:after/></w:p>";
    Outcome o = sanitize(d.build(), "ns.docx");
    checked_package(o);
    Unzipped z(o.outputs[0].bytes);
    TempDir t;
    write_file(t / "d.xml", z.part("word/document.xml"));
    auto r = run("python3 -c " + shell_quote("import sys, xml.etree.ElementTree as ET\n"
                                             "root = ET.parse(sys.argv[1]).getroot()\n"
                                             "tags = [e.tag for e in root.iter()]\n"
                                             "attrs = [k for e in root.iter() for k in e.attrib]\n"
                                             "print('{urn:example:outer}before' in tags, '{urn:example:outer}after' in tags,\n"
                                             "      '{urn:example:inner}inner' in tags, '{urn:example:z}zed' in tags,\n"
                                             "      '{urn:example:z}attr' in attrs, '{urn:example:inner}before' in tags)\n") +
                 " " + shell_quote((t / "d.xml").string()));
    REQUIRE(r.status == 0);
    CHECK(r.out == "True True True True True False\n");
    std::string doc = z.part("word/document.xml");
    CHECK(doc.find("残る枝") != std::string::npos);
    CHECK(doc.find("消える枝") == std::string::npos);
}
