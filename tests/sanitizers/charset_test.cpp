#include <doctest/doctest.h>

#include "../../sanitizers/text/charset.hpp"

using namespace mugaika;

TEST_CASE("charset: Shift_JIS is read as CP932, with NEC and IBM extensions") {
    // ① (NEC row 13), 髙 (IBM extension), ㈱
    auto d = charset::detect_and_decode("\x87\x40\xfb\xfc\x87\x8a\x82\xa0");
    REQUIRE(d);
    CHECK(d->charset == "Shift_JIS");
    CHECK(d->utf8 == "①髙㈱あ");
}

TEST_CASE("charset: EUC-JP, including NEC row 13") {
    auto d = charset::detect_and_decode("\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb\xad\xa1");
    REQUIRE(d);
    CHECK(d->charset == "EUC-JP");
    CHECK(d->utf8 == "お知らせ①");
}

TEST_CASE("charset: ISO-2022-JP with CP932 extensions and half-width kana") {
    // お知らせ ① ㈱ then half-width ｶﾅ via ESC ( I
    std::string jis = "\x1b$B$*CN$i$;\x1b(B \x1b$B-!\x1b(B \x1b$B-j\x1b(B \x1b(I6E\x1b(B";
    auto d = charset::detect_and_decode(jis);
    REQUIRE(d);
    CHECK(d->charset == "ISO-2022-JP");
    CHECK(d->utf8 == "お知らせ ① ㈱ ｶﾅ");
    // And back: the same characters survive a round trip.
    auto back = charset::encode(d->utf8, "ISO-2022-JP");
    REQUIRE(back);
    CHECK(charset::decode(*back, "iso-2022-jp") == d->utf8);
}

TEST_CASE("charset: UTF-8, UTF-16 and their byte order marks") {
    auto u8 = charset::detect_and_decode("\xEF\xBB\xBFテスト");
    REQUIRE(u8);
    CHECK(u8->bom);
    CHECK(u8->utf8 == "テスト");
    auto u16 = charset::detect_and_decode(std::string("\xFF\xFE\x46\x30\x44\x30", 6));   // ふい? no: U+3046 U+3044
    REQUIRE(u16);
    CHECK(u16->charset == "UTF-16LE");
    CHECK(u16->utf8 == "\u3046\u3044");
}

TEST_CASE("charset: labels and aliases real mail uses") {
    CHECK(charset::canonical("SJIS") == "Shift_JIS");
    CHECK(charset::canonical("x-sjis") == "Shift_JIS");
    CHECK(charset::canonical("CP932") == "Shift_JIS");
    CHECK(charset::canonical("ISO-2022-JP") == "ISO-2022-JP");
    CHECK(charset::canonical("x-euc-jp") == "EUC-JP");
    CHECK(charset::canonical("klingon").empty());
}

TEST_CASE("charset: invalid input is refused, not guessed") {
    CHECK_FALSE(charset::decode("\x82", "Shift_JIS"));           // truncated double-byte
    CHECK_FALSE(charset::decode("\xff\xfe\xfd", "UTF-8"));
    CHECK_FALSE(charset::decode("\x1b$B$", "ISO-2022-JP"));      // half a JIS pair
    CHECK_FALSE(charset::detect_and_decode(std::string("abc\0def", 7)));
    CHECK_FALSE(charset::encode("髙", "ISO-2022-JP"));           // IBM extension has no 7-bit JIS form
}

TEST_CASE("charset: Western text with windows-1252 punctuation keeps it") {
    std::string in = "The price is \x80" "5 \x93quoted\x94 and caf\xe9 cr\xe8me br\xfbl\xe9" "e, na\xefve r\xe9sum\xe9s for everyone here.\n";
    auto d = charset::detect_and_decode(in);
    REQUIRE(d);
    CHECK(d->utf8.find("€5 “quoted”") != std::string::npos);
}
