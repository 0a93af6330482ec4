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
