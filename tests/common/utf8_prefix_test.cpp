// Bounded text from a file is cut at a character boundary: Japanese is three bytes in UTF-8.
#include <doctest/doctest.h>

#include "mugaika/utf8_prefix.hpp"

using mugaika::utf8_prefix;

TEST_CASE("utf8 prefix: never ends inside a character, never longer than asked") {
    const std::string text = "ab件名";   // 2 + 3 + 3 bytes
    CHECK(utf8_prefix(text, 100) == text);
    CHECK(utf8_prefix(text, 8) == text);
    CHECK(utf8_prefix(text, 7) == "ab件");
    CHECK(utf8_prefix(text, 6) == "ab件");
    CHECK(utf8_prefix(text, 5) == "ab件");
    CHECK(utf8_prefix(text, 4) == "ab");
    CHECK(utf8_prefix(text, 3) == "ab");
    CHECK(utf8_prefix(text, 2) == "ab");
    CHECK(utf8_prefix(text, 0).empty());
    CHECK(utf8_prefix("🙂x", 3).empty());           // a four-byte character is kept whole or not at all
    CHECK(utf8_prefix("\x80\x80\x80z", 2).empty());  // invalid: only continuation bytes, nothing to keep
    CHECK(utf8_prefix("\xE4\xBB", 1) == "");         // a cut sequence at the start
}
