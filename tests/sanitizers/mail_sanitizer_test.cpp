// The mail sanitizer through the engine, on messages built here byte by byte. Every released message
// is read back with Python's email package (mail_support.hpp: checked()).
#include <doctest/doctest.h>

#include "mail_support.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

using namespace mugaika;
using namespace mugaika::test::mail;

namespace {

// お世話になっております。①会議の件、㈱テストのｶﾀｶﾅです。 in ISO-2022-JP with CP932 extensions.
const std::string kJisBody =
    "\x1B\x24\x42\x24\x2A\x40\x24\x4F\x43\x24\x4B\x24\x4A\x24\x43\x24\x46\x24\x2A\x24\x6A\x24\x5E\x24\x39\x21\x23"
    "\x2D\x21\x32\x71\x35\x44\x24\x4E\x37\x6F\x21\x22\x2D\x6A\x25\x46\x25\x39\x25\x48\x24\x4E\x1B\x28\x49\x36\x40"
    "\x36\x45\x1B\x24\x42\x24\x47\x24\x39\x21\x23\x1B\x28\x42";
const std::string kJisText = "お世話になっております。①会議の件、㈱テストのｶﾀｶﾅです。";

}  // namespace

TEST_CASE("mail: ISO-2022-JP with ① ㈱ and half-width kana") {
    auto o = sanitize(headers("=?ISO-2022-JP?B?GyRCN29MPi0hLWobKEI=?=", "text/plain; charset=ISO-2022-JP") +
                      kJisBody + "\r\n");
    CHECK(o.verdict == Verdict::disarmed);
    auto j = checked(o);
    CHECK(j["headers"]["Subject"] == "件名①㈱");
    CHECK(j["headers"]["From"] == "山田 <yamada@example.co.jp>");
    CHECK(j["headers"]["Message-ID"] == "<abc123@example.co.jp>");
    CHECK(body_after_notice(j) == kJisText + "\n");
    std::string notice = body_of(j);
    CHECK(notice.find("無害化") != std::string::npos);
    // Headers outside the allowlist are gone; the summary header is there.
    for (const auto& h : j["header_names"]) CHECK(h != "Received");
    for (const auto& h : j["header_names"]) CHECK(h != "X-Mailer");
    CHECK(j["headers"]["X-Mugaika-Sanitized"].get<std::string>().find("body=text") != std::string::npos);
    CHECK(has_finding(o, "mail.headers"));
}

TEST_CASE("mail: Shift_JIS body with 髙 and ①, quoted-printable") {
    // ①㈱髙 本日は晴天なり, 髙 as FBFC (IBM) and EEE0 (NEC-selected IBM)
    std::string qp = "=87@=87=8A=FB=FC=EE=E0 =96{=93=FA=82=CD=90=B0=93V=82=C8=82=E8\r\n";
    auto o = sanitize(headers("Shift_JIS", "text/plain; charset=\"Shift_JIS\"", "quoted-printable") + qp);
    auto j = checked(o);
    CHECK(body_after_notice(j) == "①㈱髙髙 本日は晴天なり\n");
}

TEST_CASE("mail: EUC-JP body and header with ①") {
    std::string euc = "\xB2\xF1\xB5\xC4\xA4\xCE\xA4\xAA\xC3\xCE\xA4\xE9\xA4\xBB\xAD\xA1\r\n";
    auto o = sanitize(headers("=?EUC-JP?B?" + b64("\xB2\xF1\xB5\xC4\xAD\xA1", 0) + "?=", "text/plain; charset=EUC-JP", "8bit") + euc);
    auto j = checked(o);
    CHECK(j["headers"]["Subject"] == "会議①");
    CHECK(body_after_notice(j) == "会議のお知らせ①\n");
}

TEST_CASE("mail: UTF-8 base64 body, and an output in ISO-2022-JP when policy asks") {
    std::string text = "ご確認ください。\r\n①②③ 高橋\r\n";
    std::string eml = headers("=?UTF-8?B?" + b64("確認", 0) + "?=", "text/plain; charset=utf-8", "base64") + b64(text);
    auto j = checked(sanitize(eml));
    CHECK(body_after_notice(j) == "ご確認ください。\n①②③ 高橋\n");

    auto o = sanitize(eml, "[sanitizer.mail]\noutput_charset = \"iso-2022-jp\"\n");
    auto k = checked(o);
    bool iso = false;
    for (const auto& p : k["parts"])
        if (p.value("is_body", false)) iso = p["charset"] == "iso-2022-jp";
    CHECK(iso);
    CHECK(body_after_notice(k) == "ご確認ください。\n①②③ 高橋\n");
    CHECK(k["headers"]["Subject"] == "確認");
    CHECK(!has_finding(o, "mail.charset.output"));

    // 髙 (an IBM extension) has no ISO-2022-JP form: the body falls back to UTF-8, with a finding.
    auto f = sanitize(headers("x", "text/plain; charset=utf-8", "base64") + b64("髙橋\r\n"),
                      "[sanitizer.mail]\noutput_charset = \"iso-2022-jp\"\n");
    auto fj = checked(f);
    CHECK(body_after_notice(fj) == "髙橋\n");
    CHECK(has_finding(f, "mail.charset.output"));
}

TEST_CASE("mail: a raw 8-bit Shift_JIS Subject is detected, converted and reported") {
    auto o = sanitize(headers("\x96\x7B\x93\xFA\x82\xCD\x90\xB0\x93\x56\x82\xC8\x82\xE8", "text/plain; charset=us-ascii") +
                      "hello\r\n");
    auto j = checked(o);
    CHECK(j["headers"]["Subject"] == "本日は晴天なり");
    CHECK(has_finding(o, "mail.charset.unlabelled"));
}

TEST_CASE("mail: RFC 2047 words split mid-character in the Subject") {
    std::string s = "【重要】システム更新のお知らせ";
    std::string subject = "=?UTF-8?B?" + b64(s.substr(0, 5), 0) + "?=\r\n =?UTF-8?B?" + b64(s.substr(5, 7), 0) +
                          "?=\r\n =?UTF-8?B?" + b64(s.substr(12), 0) + "?=";
    auto j = checked(sanitize(headers(subject, "text/plain; charset=utf-8") + "x\r\n"));
    CHECK(j["headers"]["Subject"] == s);
}

TEST_CASE("mail: RFC 2231 Japanese filename and chunked base64 attachment, decoded in full") {
    std::string csv = "氏名,金額\r\n山田,1000\r\n佐藤,=1+1\r\n";
    std::string chunked = b64(csv.substr(0, 10)) + b64(csv.substr(10, 11)) + b64(csv.substr(21));
    std::string eml = headers("=?UTF-8?B?" + b64("名簿", 0) + "?=", "multipart/mixed; boundary=\"b1\"") +
                      "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n添付します。\r\n"
                      "--b1\r\nContent-Type: text/csv; charset=utf-8\r\n"
                      "Content-Disposition: attachment;\r\n filename*0*=UTF-8''%E5%90%8D%E7%B0;\r\n filename*1*=%BF.csv\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n" + chunked + "--b1--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    CHECK(body_after_notice(j) == "添付します。\n");
    REQUIRE(o.children.size() == 1);
    CHECK(o.children[0].name == "名簿.csv");
    CHECK(o.children[0].verdict == Verdict::disarmed);   // the formula cell was neutralised
    // The attachment is exactly what the CSV sanitizer makes of the whole file.
    auto alone = engine().process(csv, "名簿.csv");
    REQUIRE(alone.outputs.size() == 1);
    bool found = false;
    for (const auto& p : j["parts"])
        if (p["filename"] == "名簿.csv") {
            found = true;
            CHECK(p["sha256"] == sha256_hex(alone.outputs[0].bytes));
        }
    CHECK(found);
    CHECK(has_finding(o, "mail.base64.chunked"));
    CHECK(body_of(j).find("名簿.csv … 無害化して添付しました。") != std::string::npos);
}

TEST_CASE("mail: HTML with script, javascript: link, tracking image and hidden text") {
    std::string html =
        "<html><head><meta charset=\"shift_jis\"><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>いつもお世話になっております。</p>"
        "<p>詳細は<a href=\"https://www.example.jp/info?id=1\">こちら</a>をご覧ください。</p>"
        "<p><a href=\"javascript:steal()\">ここをクリック</a></p>"
        "<div style=\"display: none\">隠された文字</div><span style=\"font-size:0px\">ゼロサイズ</span>"
        "<img src=\"https://track.example.com/p.gif\" width=\"1\" height=\"1\">"
        "<img src=\"cid:logo\" alt=\"会社ロゴ\">"
        "<ul><li>項目一</li><li>項目二</li></ul>"
        "<table><tr><td>品名</td><td>数量</td></tr><tr><td>りんご</td><td>3</td></tr></table>"
        "<form action=\"https://evil.example/\"><input name=\"pw\" value=\"フォーム\"></form>"
        "</body></html>";
    std::string eml = headers("HTML", "multipart/alternative; boundary=\"alt\"") +
                      "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHTMLメールをご覧ください。\r\n"
                      "--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                      b64(html) + "--alt--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    std::string body = body_after_notice(j);
    CHECK(body.find("いつもお世話になっております。") != std::string::npos);
    CHECK(body.find("こちら <hxxps://www[.]example[.]jp/info?id=1>") != std::string::npos);
    CHECK(body.find("ここをクリック") != std::string::npos);
    CHECK(body.find("javascript") == std::string::npos);
    CHECK(body.find("alert") == std::string::npos);
    CHECK(body.find("color") == std::string::npos);
    CHECK(body.find("隠された文字") == std::string::npos);
    CHECK(body.find("ゼロサイズ") == std::string::npos);
    CHECK(body.find("track.example") == std::string::npos);
    CHECK(body.find("[画像: 会社ロゴ]") != std::string::npos);
    CHECK(body.find("・項目一\n・項目二") != std::string::npos);
    CHECK(body.find("品名 | 数量\nりんご | 3") != std::string::npos);
    CHECK(body.find("フォーム") == std::string::npos);
    CHECK(body.find("evil") == std::string::npos);
    for (auto k : {"mail.html", "mail.html.script", "mail.html.hidden", "mail.html.tracking", "mail.link.script",
                   "mail.html.form", "mail.stub_text"})
        CHECK_MESSAGE(has_finding(o, k), std::string(k));
}

TEST_CASE("mail: links policy plain and drop") {
    std::string eml = headers("x", "text/html; charset=utf-8") + "<p><a href=\"https://example.jp/a\">案内</a></p>\r\n";
    auto plain = checked(sanitize(eml, "[sanitizer.mail]\nlinks = \"plain\"\n"));
    CHECK(body_after_notice(plain) == "案内 <https://example.jp/a>\n");
    auto drop = checked(sanitize(eml, "[sanitizer.mail]\nlinks = \"drop\"\n"));
    CHECK(body_after_notice(drop) == "案内\n");
    auto defang = checked(sanitize(eml));
    CHECK(body_after_notice(defang) == "案内 <hxxps://example[.]jp/a>\n");
}

TEST_CASE("mail: text alternative is used when it is real text") {
    std::string eml = headers("x", "multipart/alternative; boundary=\"alt\"") +
                      "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nテキスト版の本文です。\r\n"
                      "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML版の本文です。</p>\r\n--alt--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    CHECK(body_after_notice(j) == "テキスト版の本文です。\n");
    CHECK(!has_finding(o, "mail.stub_text"));
}

TEST_CASE("mail: nested rfc822 with an .exe: the inner mail is rebuilt, the .exe held") {
    std::string exe = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF" + std::string(200, '\0') + "PE\0\0";
    std::string inner = "From: a@example.com\r\nTo: b@example.com\r\nSubject: =?UTF-8?B?" + b64("転送元", 0) + "?=\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n"
                        "--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n中のメール\r\n"
                        "--in\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\n"
                        "Content-Disposition: attachment; filename=\"setup.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                        b64(exe) + "--in--\r\n";
    std::string eml = headers("Fwd", "multipart/mixed; boundary=\"out\"") +
                      "--out\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n転送します。\r\n"
                      "--out\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--out--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    REQUIRE(!o.held.empty());
    bool exe_held = false;
    for (const auto& h : o.held) exe_held = exe_held || (h.name == "setup.exe" && h.where.starts_with("attachment[1]/"));
    CHECK(exe_held);
    CHECK(o.keeps_original());
    bool inner_attached = false;
    for (const auto& p : j["parts"])
        if (p["content_type"] == "message/rfc822") {
            inner_attached = true;
            CHECK(p["inner_subject"] == "転送元");
            CHECK(p["inner_defects"].empty());
        }
    CHECK(inner_attached);
}

TEST_CASE("mail: TNEF, uuencode and a password ZIP are held with their reasons") {
    std::string tnef = "\x78\x9F\x3E\x22" + std::string(64, '\x01');
    std::string uu = "begin 644 invoice.exe\r\nM35J0``,````$````__\\``+@`````````````````````````````````````\r\n`\r\nend\r\n";
    // A ZIP whose one entry is flagged encrypted (general purpose bit 0), as a password ZIP is.
    std::string zip = mugaika::test::make_zip({{"秘密.txt", "secret"}});
    zip[6] = static_cast<char>(zip[6] | 1);
    auto cd = zip.find("PK\x01\x02");
    REQUIRE(cd != std::string::npos);
    zip[cd + 8] = static_cast<char>(zip[cd + 8] | 1);
    std::string eml = headers("held", "multipart/mixed; boundary=\"m\"") +
                      "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本文です。\r\n" + uu +
                      "以上\r\n"
                      "--m\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                      b64(tnef) +
                      "--m\r\nContent-Type: application/zip; name=\"data.zip\"\r\nContent-Disposition: attachment; filename=\"data.zip\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n" + b64(zip) + "--m--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    std::string body = body_after_notice(j);
    CHECK(body.find("本文です。") != std::string::npos);
    CHECK(body.find("以上") != std::string::npos);
    CHECK(body.find("M35J") == std::string::npos);
    bool tnef_held = false, uu_held = false, zip_held = false;
    for (const auto& h : o.held) {
        tnef_held = tnef_held || (h.type == "tnef" && h.reason == reason::unsupported);
        uu_held = uu_held || (h.type == "uuencode" && h.name == "invoice.exe");
        zip_held = zip_held || (h.name == "data.zip" && h.reason == reason::encrypted);
    }
    CHECK(tnef_held);
    CHECK(uu_held);
    CHECK(zip_held);
    std::string notice = body_of(j);
    CHECK(notice.find("winmail.dat … 保留しました。") != std::string::npos);
    CHECK(notice.find("data.zip … 保留しました。") != std::string::npos);
    CHECK(notice.find("invoice.exe") != std::string::npos);
    CHECK(j["headers"]["X-Mugaika-Sanitized"].get<std::string>().find("3 held") != std::string::npos);
}

TEST_CASE("mail: S/MIME encrypted and a broken signature") {
    std::string enc = headers("enc", "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", "base64") +
                      b64(std::string(100, '\x30'));
    auto o = sanitize(enc);
    checked(o);
    REQUIRE(o.held.size() == 1);
    CHECK(o.held[0].reason == reason::encrypted);

    std::string signed_broken = headers("sig", "multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"s\"") +
                                "--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n署名付き\r\n--s--\r\n";
    auto s = sanitize(signed_broken);
    auto j = checked(s);
    CHECK(body_after_notice(j) == "署名付き\n");
    CHECK(has_finding(s, "mail.signature.broken"));
}

TEST_CASE("mail: a missing closing boundary is a finding, the text is kept") {
    std::string eml = headers("open", "multipart/mixed; boundary=\"never\"") +
                      "--never\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n閉じない境界\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    CHECK(body_after_notice(j) == "閉じない境界\n");
    bool parser_finding = false;
    for (const auto& f : o.findings) parser_finding = parser_finding || f.kind.starts_with("mail.parser.");
    CHECK(parser_finding);
}

TEST_CASE("mail: attachments = remove drops them without the engine") {
    std::string eml = headers("x", "multipart/mixed; boundary=\"b\"") +
                      "--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/csv; name=a.csv\r\n\r\na,b\r\n--b--\r\n";
    auto o = sanitize(eml, "[sanitizer.mail]\nattachments = \"remove\"\n");
    auto j = checked(o);
    CHECK(o.children.empty());
    CHECK(has_finding(o, "mail.attachment"));
    CHECK(body_of(j).find("a.csv … 設定により削除しました。") != std::string::npos);
}

TEST_CASE("mail: limits hold the mail with their reason") {
    std::string many = headers("x", "multipart/mixed; boundary=\"b\"");
    for (int i = 0; i < 30; ++i) many += "--b\r\nContent-Type: text/plain\r\n\r\npart\r\n";
    many += "--b--\r\n";
    auto o = sanitize(many, "[sanitizer.mail]\nmax_parts = 10\n");
    CHECK(o.quarantined());
    CHECK(o.reason == reason::limit_members);

    std::string deep = headers("x", "multipart/mixed; boundary=\"d0\"");
    for (int i = 1; i < 8; ++i) deep += "--d" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=\"d" + std::to_string(i) + "\"\r\n\r\n";
    deep += "--d7\r\nContent-Type: text/plain\r\n\r\ndeep\r\n";
    auto d = sanitize(deep, "[sanitizer.mail]\nmax_mime_depth = 4\n");
    CHECK(d.quarantined());
    CHECK(d.reason == reason::limit_depth);

    auto big = sanitize(headers("x", "text/plain") + std::string(5000, 'a') + "\r\n", "[sanitizer.mail]\nmax_message_bytes = 1000\n");
    CHECK(big.reason == reason::limit_size);

    auto longh = sanitize(headers(std::string(3000, 'a'), "text/plain") + "x\r\n", "[sanitizer.mail]\nmax_header_bytes = 1000\n");
    CHECK(longh.reason == reason::limit_size);
}

TEST_CASE("mail: header injection through encoded words does not create headers") {
    std::string eml = headers("=?UTF-8?B?" + b64("件名\r\nBcc: victim@example.com", 0) + "?=", "text/plain") + "x\r\n";
    auto j = checked(sanitize(eml));
    for (const auto& h : j["header_names"]) CHECK(h != "Bcc");
}

TEST_CASE("mail: raw 8-bit bytes in parser warnings never break the JSON report") {
    // Two conflicting Content-Type headers with raw Shift_JIS bytes: GMime warns and quotes them.
    std::string eml = "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: \x8A\xBF\x8E\x9A\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=\"\x8A\xBF\"\r\nContent-Type: text/html; name=\"\x8A\xBF\"\r\n"
                      "Content-Disposition: attachment; filename=\"\x8A\xBF\x8E\x9A.txt\"\r\n\r\nbody\r\n";
    auto o = sanitize(eml);
    std::string json;
    CHECK_NOTHROW(json = mugaika::to_report_json(o).dump());
    CHECK(!json.empty());
}

TEST_CASE("mail: a nested message without mail headers is held, not passed on as text") {
    std::string inner = "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/html\r\n\r\n"
                        "<script>x()</script>\r\n--in--\r\n";
    std::string eml = headers("fwd", "multipart/mixed; boundary=\"out\"") +
                      "--out\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                      "--out\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--out--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    REQUIRE(o.held.size() == 1);
    CHECK(o.held[0].reason == reason::malformed);
    for (const auto& p : j["parts"]) CHECK(p["disposition"] != "attachment");
}

TEST_CASE("mail: an Office attachment with a macro comes out rebuilt by the engine and is attached") {
    std::string docm = mugaika::test::make_ooxml("docm", "会議資料", true);
    std::string eml = headers("docs", "multipart/mixed; boundary=\"b\"") +
                      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n資料を送ります。\r\n"
                      "--b\r\nContent-Type: application/vnd.ms-word.document.macroEnabled.12\r\n"
                      "Content-Disposition: attachment; filename*=UTF-8''%E8%B3%87%E6%96%99.docm\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n" + b64(docm) + "--b--\r\n";
    auto o = sanitize(eml);
    auto j = checked(o);
    REQUIRE(o.children.size() == 1);
    if (o.children[0].verdict == Verdict::quarantined) {
        MESSAGE("SKIPPED: the OOXML sanitizer is not in this build");
        return;
    }
    // The attachment is exactly the engine's own output for the file on its own.
    auto alone = engine().process(docm, "資料.docm");
    REQUIRE(alone.outputs.size() == 1);
    bool found = false;
    for (const auto& p : j["parts"])
        if (p["filename"] == alone.outputs[0].name) {
            found = true;
            CHECK(p["sha256"] == sha256_hex(alone.outputs[0].bytes));
        }
    CHECK(found);
}

TEST_CASE("mail: a %PDF- marker in the Subject or the body does not take a mail down the PDF path") {
    const std::string pdf = mugaika::test::make_pdf("x");
    for (const auto& [what, eml] : std::vector<std::pair<std::string, std::string>>{
             {"subject", headers("%PDF-1.7 invoice", "text/plain; charset=us-ascii") + "hello\r\n"},
             {"body", headers("x", "text/plain; charset=us-ascii") + "%PDF-1.4\r\n1 0 obj << >> endobj\r\n"},
             {"raw PDF body", headers("x", "application/octet-stream", "8bit") + pdf},
         }) {
        CAPTURE(what);
        Outcome o = sanitize(eml);
        CHECK(o.detected_type == "eml");
        CHECK(has_finding(o, "detect.polyglot"));
        auto j = checked(o);
        if (what == "subject") CHECK(j["headers"]["Subject"] == "%PDF-1.7 invoice");
    }
    // Under a .pdf name the header block still decides; the name follows the content.
    Outcome named = engine().process(headers("%PDF-1.7", "text/plain") + "hi\r\n", "report.pdf");
    CHECK(named.detected_type == "eml");
    REQUIRE(named.outputs.size() == 1);
    CHECK(named.outputs[0].name == "report.eml");
}

TEST_CASE("mail: the report says what the officer recognises the mail by, also when it is held") {
    auto o = sanitize(headers("=?ISO-2022-JP?B?GyRCN29MPi0hLWobKEI=?=", "text/plain; charset=ISO-2022-JP") +
                      kJisBody + "\r\n");
    CHECK(o.about.subject == "件名①㈱");
    CHECK(o.about.from == "山田 <yamada@example.co.jp>");
    auto report = to_report_json(o);
    CHECK(report["about"]["subject"] == "件名①㈱");
    // Through the worker's codec too (the service reads it from there).
    CHECK(decode_outcome(encode_outcome(o)).about.from == o.about.from);
}

TEST_CASE("mail: a long subject or sender is bounded at a character, never inside one") {
    // 500 bytes is the bound; 1..3 ASCII bytes before the Japanese move the cut to every position
    // inside a three-byte character.
    for (std::size_t pad : {1u, 2u, 3u}) {
        CAPTURE(pad);
        std::string subject = std::string(pad, 'x');
        for (int i = 0; i < 200; ++i) subject += "件";
        std::string eml = "From: " + subject + " <a@example.jp>\r\nTo: b@example.jp\r\nSubject: " + subject +
                          "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n\r\nhi\r\n";
        auto o = sanitize(eml);
        for (const std::string& shown : {o.about.subject, o.about.from}) {
            CHECK(shown.size() <= 500);
            CHECK(shown.size() >= 497);
            CHECK((shown.size() - pad) % 3 == 0);   // whole characters only
            CHECK(shown.find("\xEF\xBF\xBD") == std::string::npos);
        }
        std::string json = to_report_json(o).dump();
        CHECK(json.find("\\ufffd") == std::string::npos);
        CHECK(json.find("\xEF\xBF\xBD") == std::string::npos);
    }
}
