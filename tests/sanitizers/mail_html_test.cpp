// HTML to text and link display, on their own.
#include <doctest/doctest.h>

#include "../../sanitizers/mail/html_text.hpp"
#include "../../sanitizers/mail/links.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::mail;

TEST_CASE("mail html: paragraphs, breaks, entities, pre and ordered lists") {
    auto r = html_to_text("<p>一行目<br>二行目</p><p>&lt;三&gt; &amp; &#x56DB;</p><pre>  a\n   b</pre>"
                          "<ol><li>いち</li><li>に<ul><li>入れ子</li></ul></li></ol>",
                          LinkMode::defang);
    CHECK(r.text == "一行目\n二行目\n\n<三> & 四\n\n  a\n   b\n\n1. いち\n2. に\n  ・入れ子\n");
}

TEST_CASE("mail html: a link whose text is its address is shown once, defanged") {
    auto r = html_to_text("<a href=\"http://a.example.jp/x\">http://a.example.jp/x</a>", LinkMode::defang);
    CHECK(r.text == "hxxp://a[.]example[.]jp/x\n");
    CHECK(r.links == 1);
}

TEST_CASE("mail html: obfuscated javascript: schemes are still recognised") {
    auto r = html_to_text("<a href=\" java&#x09;script:alert(1)\">x</a><a href=\"DATA:text/html,1\">y</a>", LinkMode::plain);
    CHECK(r.text == "xy\n");   // inline elements without space between them, as a browser shows them
    CHECK(r.dangerous_links == 2);
    CHECK(r.links == 0);
}

TEST_CASE("mail html: iframes, objects and hidden attributes are dropped") {
    auto r = html_to_text("<p>見える</p><iframe src=\"https://x\">中</iframe><object>o</object>"
                          "<p hidden>隠し</p><p style=\"visibility: hidden\">隠し2</p>"
                          "<div style=\"max-height:0;overflow:hidden\">隠し3</div>",
                          LinkMode::defang);
    CHECK(r.text == "見える\n");
    CHECK(r.scripts == 2);
    CHECK(r.hidden == 3);
}

TEST_CASE("mail html: the declared charset is found, a meta charset cannot switch the parser") {
    CHECK(html_declared_charset("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">") ==
          "shift_jis");
    CHECK(html_declared_charset("<meta charset='euc-jp'>") == "euc-jp");
    CHECK(html_declared_charset("<p>none</p>").empty());
    // Already UTF-8: the <meta> saying Shift_JIS must not make libxml2 re-decode it.
    auto r = html_to_text("<meta charset=\"shift_jis\"><p>日本語</p>", LinkMode::defang);
    CHECK(r.text == "日本語\n");
}

TEST_CASE("mail html: URLs in plain text are defanged") {
    std::string t = "詳細: https://www.example.jp/a?b=c と http://x.example/ です";
    CHECK(defang_text_urls(t) == 2);
    CHECK(t == "詳細: hxxps://www[.]example[.]jp/a?b=c と hxxp://x[.]example/ です");
}

TEST_CASE("mail: an unlabelled Shift_JIS HTML body is read through its meta charset") {
    // <meta charset=shift_jis><p>本日は晴天なり</p> in Shift_JIS, no charset on the MIME part.
    std::string html = "<html><head><meta charset=\"shift_jis\"></head><body><p>"
                       "\x96\x7B\x93\xFA\x82\xCD\x90\xB0\x93\x56\x82\xC8\x82\xE8</p></body></html>";
    std::string eml = "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html + "\r\n";
    auto o = test::mail::sanitize(eml);
    auto j = test::mail::checked(o);
    std::string body = test::mail::body_of(j);
    CHECK(body.ends_with("\n\n本日は晴天なり\n"));
    CHECK(!test::mail::has_finding(o, "mail.charset.damaged"));
}

// html_to_text follows the parser's events without building a tree (issue 19): the text and counts
// are those of the tree the parser would have built, in the cases where the two could part.
TEST_CASE("mail html: an element is judged by its name after a prefix, as the tree names it") {
    auto r = html_to_text("<a:script xmlns:a=\"http://www.w3.org/1999/xhtml\">alert(1)</a:script>本文"
                          "<x:form><x:input value=\"v\"></x:form><o:p>段落</o:p>",
                          LinkMode::defang);
    CHECK(r.text.find("alert") == std::string::npos);
    CHECK(r.text.find("本文") != std::string::npos);
    CHECK(r.text.find("段落") != std::string::npos);
    CHECK(r.scripts == 1);
    CHECK(r.forms == 1);
}

TEST_CASE("mail html: text the parser leaves outside every element is not shown") {
    CHECK(html_to_text("<", LinkMode::defang).text.empty());
    CHECK(html_to_text("", LinkMode::defang).text.empty());
    CHECK(html_to_text("   \r\n", LinkMode::defang).text.empty());
    // Text after the document's end is given a new paragraph by the parser, and shown.
    CHECK(html_to_text("<p>a</p></body></html>後", LinkMode::defang).text == "a\n\n後\n");
}

TEST_CASE("mail html: text handed over in pieces is one text, spaces collapsed across the pieces") {
    // libxml2 hands text over in pieces of about 1000 bytes: words and runs of blanks cross them.
    std::string words;
    for (int i = 0; i < 600; ++i) words += "word" + std::to_string(i) + (i % 3 ? " " : " \r\n\t ");
    auto r = html_to_text("<p>" + words + "</p>", LinkMode::defang);
    std::string expected;
    for (int i = 0; i < 600; ++i) expected += (i ? " " : "") + ("word" + std::to_string(i));
    CHECK(r.text == expected + "\n");
    // One text node under the bound, however many pieces it came in: <html>, <body>, <p>, the text and
    // the document type node.
    CHECK_NOTHROW(html_to_text("<p>" + words + "</p>", LinkMode::defang, 5));
    CHECK_THROWS_AS(html_to_text("<p>" + words + "</p>", LinkMode::defang, 4), SanitizeError);
}

TEST_CASE("mail html: the node bound counts what is shown and skips what is dropped with its subtree") {
    std::string many;
    for (int i = 0; i < 50; ++i) many += "<span>s</span><!-- c -->";
    // 50 spans, 50 texts, 50 comments, plus html, body, the document type node.
    CHECK_NOTHROW(html_to_text(many, LinkMode::defang, 153));
    CHECK_THROWS_AS(html_to_text(many, LinkMode::defang, 152), SanitizeError);
    // Inside a script or a hidden element nothing is visited, so nothing counts.
    std::string hidden = "<div hidden>" + many + "</div>";
    CHECK_NOTHROW(html_to_text(hidden, LinkMode::defang, 4));
}

TEST_CASE("mail html: nesting deeper than 200 elements is not shown, and past 256 the parse stops") {
    auto nest = [](int depth, const std::string& inner) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += "<span>" + std::string(i == 10 ? "浅い" : i == 230 ? "深い" : "");
        s += inner;
        for (int i = 0; i < depth; ++i) s += "</span>";
        return s;
    };
    auto r = html_to_text("<p>" + nest(240, "最深") + "後</p>", LinkMode::defang);
    CHECK(r.text.find("浅い") != std::string::npos);
    CHECK(r.text.find("深い") == std::string::npos);
    CHECK(r.text.find("最深") == std::string::npos);
    CHECK(r.text.find("後") != std::string::npos);
    // libxml2 stops a document nested deeper than 256 elements; nothing after that point is read.
    auto cut = html_to_text("<p>" + nest(300, "") + "後</p>", LinkMode::defang);
    CHECK(cut.text.find("浅い") != std::string::npos);
    CHECK(cut.text.find("後") == std::string::npos);
}

TEST_CASE("mail html: links, lists, cells and pre close where their elements end") {
    auto r = html_to_text("<table><tr><td>a<td>b<tr><td>c</table><ul><li>x<ol><li>y<li>z</ol><li>w</ul>"
                          "<pre> p  q </pre><a href=\"https://e.example.jp/\">https://e.example.jp</a> <a href=\"https://f.example.jp/x\">見る</a>",
                          LinkMode::defang);
    CHECK(r.text == "a | b\nc\n\n・x\n  1. y\n  2. z\n・w\n\n p  q\n\nhxxps://e[.]example[.]jp/ 見る <hxxps://f[.]example[.]jp/x>\n");
    CHECK(r.links == 2);
}

// Elements are classified by one table lookup (html_text.cpp, tag_of): each name of each list, in upper
// case too, does what its list says.
TEST_CASE("mail html: every listed element does what its list says, whatever its case") {
    for (std::string n : {"script", "style", "object", "applet", "iframe", "template", "svg", "math", "canvas", "audio",
                          "video", "noembed", "noframes", "map", "SCRIPT", "Svg"}) {
        CAPTURE(n);
        auto r = html_to_text("<div>a<" + n + ">秘密</" + n + ">b</div>", LinkMode::defang);
        CHECK(r.text.find("秘密") == std::string::npos);
        CHECK(r.scripts == 1);
    }
    for (std::string n : {"form", "button", "select", "textarea", "output", "datalist", "Form"}) {
        CAPTURE(n);
        auto r = html_to_text("<div>a<" + n + ">入力</" + n + ">b</div>", LinkMode::defang);
        CHECK(r.text.find("入力") == std::string::npos);
        CHECK(r.forms == 1);
        CHECK(r.scripts == 0);
    }
    auto title = html_to_text("<title>題</title><p>本文</p>", LinkMode::defang);
    CHECK(title.text == "本文\n");
    CHECK(title.scripts == 0);   // metadata is not shown, and not counted as active content
    for (std::string n : {"div", "section", "article", "header", "footer", "address", "center", "nav", "aside", "main",
                          "figure", "figcaption", "details", "summary", "fieldset", "DIV"}) {
        CAPTURE(n);
        CHECK(html_to_text("<div>a<" + n + ">b</" + n + ">c</div>", LinkMode::defang).text == "a\nb\nc\n");
    }
    for (std::string n : {"p", "h1", "h6", "blockquote", "H2"}) {
        CAPTURE(n);
        CHECK(html_to_text("<div>a<" + n + ">b</" + n + ">c</div>", LinkMode::defang).text == "a\n\nb\n\nc\n");
    }
    for (std::string n : {"span", "b", "font", "abbr", "x-custom", "SPAN"}) {
        CAPTURE(n);
        CHECK(html_to_text("<div>a<" + n + ">b</" + n + ">c</div>", LinkMode::defang).text == "abc\n");
    }
    auto hidden = html_to_text("<div>a<span ARIA-HIDDEN=\"True\">b</span><span style=\"DISPLAY: NONE\">c</span>d</div>",
                               LinkMode::defang);
    CHECK(hidden.text == "ad\n");
    CHECK(hidden.hidden == 2);
    auto pictures = html_to_text("<img SRC=\"HTTPS://t.example/x.gif\"><img src=\" DATA:image/png;base64,AA\" alt=\"図\">",
                                 LinkMode::defang);
    CHECK(pictures.tracking == 1);         // remote, no alternative text
    CHECK(pictures.embedded_images == 1);  // a data: URI in any case, after blanks
    CHECK(pictures.text == "[画像: 図]\n");
    CHECK(html_to_text("<a href=\"CID:part1\">添付</a>", LinkMode::defang).text == "添付\n");   // a cid: link shows no target
}
