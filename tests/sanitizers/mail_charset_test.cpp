// Unicode encodings with a byte order (UTF-16, UTF-32) in mail bodies, headers and plain text: the BOM
// decides, a BOM-less body reads in the order that makes text, and every decoding that had to replace
// a character says so with a mail.charset.* finding.
#include <doctest/doctest.h>

#include "../../sanitizers/mail/header_text.hpp"
#include "../../sanitizers/text/charset.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::test::mail;

namespace {

// UTF-16 bytes from the compiler's own char16_t literal (independent of our converters).
std::string utf16(std::u16string_view s, bool little, bool bom) {
    std::string out;
    if (bom) out += little ? "\xFF\xFE" : "\xFE\xFF";
    for (char16_t c : s) {
        char lo = static_cast<char>(c & 0xFF), hi = static_cast<char>(c >> 8);
        out += little ? std::string{lo, hi} : std::string{hi, lo};
    }
    return out;
}

std::string utf32le(std::u32string_view s, bool bom) {
    std::string out = bom ? std::string("\xFF\xFE\0\0", 4) : "";
    for (char32_t c : s)
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((c >> (8 * i)) & 0xFF));
    return out;
}

const std::u16string kText = u"お世話になっております。①㈱の件です。\r\nSee you at 10:00.\r\n";
const std::string kUtf8 = "お世話になっております。①㈱の件です。\nSee you at 10:00.\n";

bool damaged_or_flagged(const Outcome& o) {
    return has_finding(o, "mail.charset.damaged") || has_finding(o, "mail.charset.mislabelled") ||
           has_finding(o, "mail.charset.unlabelled");
}

}  // namespace

TEST_CASE("charset: UTF-16 and UTF-32 labels follow the BOM, or the order that reads as text") {
    for (bool little : {true, false}) {
        CAPTURE(little);
        CHECK(charset::decode(utf16(u"日本語 text", little, true), "utf-16") == "日本語 text");
        CHECK(charset::decode(utf16(u"日本語 text", little, true), "UCS-2") == "日本語 text");
        // Without a BOM: ASCII and Japanese both decide the order.
        CHECK(charset::decode(utf16(u"plain ASCII words", little, false), "utf-16") == "plain ASCII words");
        CHECK(charset::decode(utf16(u"お知らせ、日本語の本文です。", little, false), "utf-16") == "お知らせ、日本語の本文です。");
    }
    CHECK(charset::decode(utf32le(U"日本語 text", true), "utf-32") == "日本語 text");
    CHECK(charset::decode(utf32le(U"日本語 text", false), "utf-32") == "日本語 text");
    // Damage is refused, not decoded: an odd byte, an unpaired surrogate.
    CHECK_FALSE(charset::decode(utf16(u"ab", true, true) + "x", "utf-16"));
    CHECK_FALSE(charset::decode(std::string("\xFF\xFE\x00\xD8" "a\0", 6), "utf-16"));
    CHECK_FALSE(charset::decode(std::string("\x00\xDC" "a\0", 4), "utf-16le"));
    // The BOM decides in plain-text detection too, UTF-32 before the UTF-16 mark it begins with.
    auto d32 = charset::detect_and_decode(utf32le(U"テキスト\n", true));
    REQUIRE(d32);
    CHECK(d32->charset == "UTF-32LE");
    CHECK(d32->utf8 == "テキスト\n");
    auto d16 = charset::detect_and_decode(std::string("\xFF\xFE\0\0" "a\0", 6));   // U+0000 then "a"
    REQUIRE(d16);
    CHECK(d16->charset == "UTF-16LE");
}

TEST_CASE("mail: UTF-16 bodies read by their BOM, little- and big-endian, any transfer encoding") {
    for (bool little : {true, false})
        for (std::string label : {"utf-16", "UTF-16", "unicode", little ? "utf-16le" : "utf-16be"}) {
            CAPTURE(little);
            CAPTURE(label);
            auto o = sanitize(headers("x", "text/plain; charset=" + label, "base64") + b64(utf16(kText, little, true)));
            auto j = checked(o);
            CHECK(body_after_notice(j) == kUtf8);
            CHECK_FALSE(damaged_or_flagged(o));
        }
    // Windows writes "utf-16" little-endian without a BOM.
    auto o = sanitize(headers("x", "text/plain; charset=utf-16", "base64") + b64(utf16(kText, true, false)));
    CHECK(body_after_notice(checked(o)) == kUtf8);
    CHECK_FALSE(has_finding(o, "mail.charset.damaged"));
}

TEST_CASE("mail: a BOM that contradicts the label wins, and the mislabel is a finding") {
    auto o = sanitize(headers("x", "text/plain; charset=utf-16be", "base64") + b64(utf16(kText, true, true)));
    CHECK(body_after_notice(checked(o)) == kUtf8);
    CHECK(has_finding(o, "mail.charset.mislabelled"));
    // A UTF-16 body labelled Shift_JIS (or not labelled at all).
    auto s = sanitize(headers("x", "text/plain; charset=shift_jis", "base64") + b64(utf16(kText, true, true)));
    CHECK(body_after_notice(checked(s)) == kUtf8);
    CHECK(has_finding(s, "mail.charset.mislabelled"));
    auto u = sanitize(headers("x", "text/plain", "base64") + b64(utf16(kText, false, true)));
    CHECK(body_after_notice(checked(u)) == kUtf8);
    CHECK(has_finding(u, "mail.charset.unlabelled"));
}

TEST_CASE("mail: damaged UTF-16 is shown with U+FFFD and always reported") {
    // An unpaired surrogate in the middle, and an odd last byte.
    std::string bad = utf16(u"前半", true, true) + std::string("\x00\xD8", 2) + utf16(u"後半", true, false) + "x";
    auto o = sanitize(headers("x", "text/plain; charset=utf-16", "base64") + b64(bad));
    auto j = checked(o);
    CHECK(body_after_notice(j).find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(body_after_notice(j).find("前半") != std::string::npos);
    CHECK(has_finding(o, "mail.charset.damaged"));
}

TEST_CASE("mail: UTF-16 in encoded-word headers and in HTML bodies") {
    std::string subject = "=?utf-16?B?" + b64(utf16(u"会議のご案内", true, true), 0) + "?=";
    auto o = sanitize(headers(subject, "text/html; charset=utf-16", "base64") +
                      b64(utf16(u"<html><body><p>本文①です</p></body></html>", false, true)));
    auto j = checked(o);
    CHECK(j["headers"]["Subject"] == "会議のご案内");
    CHECK(body_after_notice(j).find("本文①です") != std::string::npos);
    CHECK_FALSE(damaged_or_flagged(o));
    // An ASCII HTML document whose <meta> claims UTF-16 is read as UTF-8, as browsers do.
    auto m = sanitize(headers("x", "text/html", "8bit") +
                      "<html><head><meta charset=\"utf-16\"></head><body><p>caf\xC3\xA9 \xE6\x97\xA5</p></body></html>\r\n");
    CHECK(body_after_notice(checked(m)).find("café 日") != std::string::npos);
}

TEST_CASE("mail: header decoding replaces nothing silently") {
    mail::TextFlags f;
    std::string v = mail::decode_text("=?utf-8?B?" + b64("ok\xFF", 0) + "?=", f);
    CHECK(v.find("\xEF\xBF\xBD") != std::string::npos);
    CHECK((f.damaged || f.mislabelled));
    mail::TextFlags g;
    CHECK(mail::decode_text("=?utf-16?B?" + b64(utf16(u"件名", false, false), 0) + "?=", g) == "件名");
    CHECK_FALSE(g.damaged);
}

TEST_CASE("text: UTF-32 with a BOM is text and keeps its encoding") {
    std::string t = utf32le(U"メモ\n", true);
    Outcome o = engine().process(t, "memo.txt");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == t);
    std::string dirty = utf32le(U"メ\x01モ\n", true);
    Outcome c = engine().process(dirty, "memo.txt");
    REQUIRE(c.outputs.size() == 1);
    CHECK(c.outputs[0].bytes == t);
}
