// Our own decoders: the cases GMime 3.2.13 gets wrong and the Japanese encodings real mail uses.
#include <doctest/doctest.h>

#include <algorithm>

#include "../../sanitizers/mail/embedded_blocks.hpp"
#include "../../sanitizers/mail/header_text.hpp"
#include "../../sanitizers/mail/transfer_decode.hpp"
#include "../../sanitizers/text/charset.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::mail;
using mugaika::test::mail::b64;

TEST_CASE("mail: chunked base64 decodes in full, past each block's padding") {
    std::string a = "first block", b = "second-block!", c(1000, 'x');
    std::string chunked = b64(a) + b64(b) + b64(c);   // "...IQ==" then more data
    REQUIRE(chunked.find('=') < chunked.size() / 2);
    DecodeStats st;
    std::string out = decode_base64(chunked, st);
    CHECK(out == a + b + c);
    CHECK(st.restarts == 2);
    CHECK(base64_decoded_size(chunked) == out.size());
}

TEST_CASE("mail: base64 tolerates stray characters and missing padding, and says so") {
    DecodeStats st;
    CHECK(decode_base64("5pel5pys!\r\n6Kqe", st) == "日本語");
    CHECK(st.skipped == 1);
    DecodeStats st2;
    CHECK(decode_base64("YWI", st2) == "ab");   // "YWI=" without its padding
    CHECK(st2.truncated);
}

TEST_CASE("mail: quoted-printable with soft breaks, lower-case hex and a lone '='") {
    DecodeStats st;
    CHECK(decode_quoted_printable("=e6=97=a5=E6=9C=\r\n=AC a=3Db =zz  \r\nend", st) == "日本 a=b =zz\nend");
    CHECK(st.skipped == 1);
}

TEST_CASE("mail: RFC 2047 words split in the middle of a UTF-8 character are joined first") {
    std::string text = "日本語の件名";   // 18 bytes; split after 4 bytes (inside 本)
    std::string w1 = "=?UTF-8?B?" + b64(text.substr(0, 4), 0) + "?=";
    std::string w2 = "=?utf-8?B?" + b64(text.substr(4), 0) + "?=";
    TextFlags f;
    CHECK(decode_text(w1 + "\r\n " + w2, f) == text);
    CHECK(f.encoded_words);
    CHECK(!f.damaged);
    // Q and B words of one charset, mixed, still join.
    TextFlags g;
    CHECK(decode_text("=?UTF-8?Q?=E6=97?= =?UTF-8?B?" + b64(text.substr(2), 0) + "?=", g) == text);
}

TEST_CASE("mail: ISO-2022-JP encoded words with ① ㈱ split across words") {
    // "件名①㈱" in ISO-2022-JP (①=2D21, ㈱=2D6A), split between two words after the first two characters.
    std::string jis = "\x1B$B7oL>-!-j\x1B(B";
    std::string w1 = "=?ISO-2022-JP?B?" + b64(jis.substr(0, 7), 0) + "?=";
    std::string w2 = "=?ISO-2022-JP?B?" + b64(jis.substr(7), 0) + "?=";
    TextFlags f;
    CHECK(decode_text(w1 + " " + w2, f) == "件名①㈱");
    CHECK(!f.damaged);
}

TEST_CASE("mail: an unlabelled 8-bit Shift_JIS header is detected and converted") {
    TextFlags f;
    CHECK(decode_text(" \x96\x7B\x93\xFA\x82\xCD\x90\xB0\x93\x56\x82\xC8\x82\xE8", f) == " 本日は晴天なり");
    CHECK(f.unlabelled_8bit);
    CHECK(f.guessed_charset == "Shift_JIS");
}

TEST_CASE("mail: RFC 2231 continuations are joined before converting") {
    // "請求書.pdf" in UTF-8, percent-encoded and cut in the middle of 求.
    auto v = parse_structured(
        "attachment; filename*0*=UTF-8''%E8%AB%8B%E6; filename*1*=%B1%82%E6%9B%B8; filename*2=\".pdf\"");
    TextFlags f;
    auto name = param_text(v, "filename", f);
    REQUIRE(name);
    CHECK(*name == "請求書.pdf");
    CHECK(!f.damaged);
    // Sections out of order are put in order.
    auto w = parse_structured("attachment; filename*1*=5a%3Dq%1B%28B; filename*0*=ISO-2022-JP''%1B%24B%40A");
    TextFlags g;
    CHECK(param_text(w, "filename", g).value_or("") == "請求書");
}

TEST_CASE("mail: encoded words in a quoted filename (common Japanese mailer habit)") {
    auto v = parse_structured("application/pdf; name=\"=?ISO-2022-JP?B?" + b64("\x1B$B@A5a=q\x1B(B.pdf", 0) + "?=\"");
    TextFlags f;
    CHECK(param_text(v, "name", f).value_or("") == "請求書.pdf");
}

TEST_CASE("mail: decoded headers cannot carry line breaks") {
    TextFlags f;
    std::string s = decode_text("=?UTF-8?B?" + b64("a\r\nBcc: x@y", 0) + "?=", f);
    CHECK(s.find('\n') == std::string::npos);
    CHECK(s.find('\r') == std::string::npos);
}

TEST_CASE("charset: EUC-JP with NEC row 13 (① = 0xADA1) decodes") {
    CHECK(charset::decode("\xC6\xFC\xCB\xDC\xB8\xEC\xAD\xA1", "EUC-JP").value_or("?") == "日本語①");
    CHECK(charset::decode("\xB2\xF1\xB5\xC4", "euc-jp").value_or("?") == "会議");
}

TEST_CASE("charset: Shift_JIS as Windows-31J with 髙 (both codes) and ①") {
    CHECK(charset::decode("\x87\x40\x87\x8A\xEE\xE0\xFB\xFC", "Shift_JIS").value_or("?") == "①㈱髙髙");
}

TEST_CASE("charset: lenient decoding keeps valid text exact and marks only the bad bytes") {
    CHECK(charset::decode_lenient("\xE6\x97\xA5\xFF\xE6\x9C\xAC", "UTF-8").value_or("") == "日\xEF\xBF\xBD本");
    CHECK(charset::decode_lenient("abc", "UTF-8").value_or("") == "abc");
    CHECK(!charset::decode_lenient("abc", "no-such-charset"));
}

TEST_CASE("mail: uuencoded blocks are cut out of text, an unterminated block to the end of the text") {
    std::string text = "前文\nbegin 644 a.exe\nM35J0``,````$````__\\``+@`````````````````````````````````````\n`\nend\n後文\n";
    auto blocks = cut_embedded_blocks(text);
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].name == "a.exe");
    CHECK(blocks[0].terminated);
    CHECK(text == "前文\n[uuencodeされたファイル「a.exe」は取り除きました]\n後文\n");

    // Without "end" a decoder reads on to the end of the text: so do we.
    std::string open = "begin 644 b.bin\nM35J0``,````$````__\\``+@`````````````````````````````````````\nこの行も取り除く\n";
    auto b2 = cut_embedded_blocks(open);
    REQUIRE(b2.size() == 1);
    CHECK_FALSE(b2[0].terminated);
    CHECK(open == "[uuencodeされたファイル「b.bin」は取り除きました]\n");
}

// decode_base64 reads whole quanta at once when it can: the same bytes whatever the line width, the
// blanks or stray characters inside a quantum, or where a line break falls.
TEST_CASE("mail: base64 decodes the same at every line width, with blanks and strays inside quanta") {
    std::string data;
    for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>((i * 7919 + i / 13) & 0xFF));
    for (std::size_t cut : {0, 1, 2, 3}) {
        std::string original = data.substr(0, data.size() - cut);   // 0, 1 and 2 bytes of padding
        std::string flat = b64(original);
        flat.erase(std::remove_if(flat.begin(), flat.end(), [](char c) { return c == '\r' || c == '\n'; }), flat.end());
        for (std::size_t width : {1, 3, 5, 57, 76, 77}) {
            for (const char* sep : {"\r\n", " ", "\t!"}) {
                std::string wrapped;
                for (std::size_t i = 0; i < flat.size(); i += width) wrapped += flat.substr(i, width) + sep;
                DecodeStats st;
                CAPTURE(cut);
                CAPTURE(width);
                CAPTURE(sep);
                CHECK(decode_base64(wrapped, st) == original);
                CHECK(st.skipped == (std::string(sep) == "\t!" ? (flat.size() + width - 1) / width : 0));
                CHECK_FALSE(st.truncated);
                CHECK(st.restarts == 0);
            }
        }
    }
}
