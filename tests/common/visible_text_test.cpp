// Text from outside, made safe to show: the class of characters that change how text around them is
// displayed (bidi controls, invisible format characters, controls, separators, invalid UTF-8) becomes
// visible markers; Japanese and ordinary punctuation stay as they are.
#include <doctest/doctest.h>

#include "mugaika/visible_text.hpp"

using mugaika::has_hidden_characters;
using mugaika::visible_text;
using mugaika::without_hidden_characters;

TEST_CASE("visible text: bidi overrides, invisible and control characters become markers") {
    CHECK(visible_text("請求書\u202Efdp.exe") == "請求書[U+202E]fdp.exe");
    // Every bidi control, not only the one in the example.
    for (const char* c : {"\u202A", "\u202B", "\u202C", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E",
                          "\u200F", "\u061C"})
        CHECK(visible_text(std::string("a") + c + "b").find("[U+") == 1);
    CHECK(visible_text("a\u200Bb\u200Dc\uFEFFd\u2060e") == "a[U+200B]b[U+200D]c[U+FEFF]d[U+2060]e");
    CHECK(visible_text("x\u3164y") == "x[U+3164]y");                    // a letter that renders as nothing
    CHECK(visible_text("\x1b[31mred") == "[U+001B][31mred");            // a terminal escape
    CHECK(visible_text("a\u0085b\u2028c") == "a[U+0085]b[U+2028]c");     // C1 control, line separator
    CHECK(visible_text(std::string("a\0b", 3)) == "a[U+0000]b");
    CHECK(visible_text("tag\xF3\xA0\x80\x81") == "tag[U+E0001]");        // a Unicode tag character
    CHECK(visible_text("bad\xFF\xC3") == "bad[0xFF][0xC3]");             // not UTF-8
    CHECK(visible_text("line\nbreak\ttab") == "line[U+000A]break[U+0009]tab");
    CHECK(visible_text("line\nbreak", true) == "line\nbreak");
}

TEST_CASE("visible text: ordinary Japanese and punctuation are untouched") {
    std::string plain = "見積書(2026年度)・第1版 ①㈱ ｶﾀｶﾅ　全角スペース <a&b> \"q\" 'r' é 😀";
    CHECK(visible_text(plain) == plain);
    CHECK_FALSE(has_hidden_characters(plain));
    CHECK(has_hidden_characters("a\u202Eb"));
    CHECK(without_hidden_characters("請求書\u202Efdp.exe") == "請求書_fdp.exe");
    CHECK(without_hidden_characters("a\x01" "b", '-') == "a-b");
}
