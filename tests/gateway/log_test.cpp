// Every log line is one line of valid UTF-8, whatever the names and addresses in it hold.
#include <doctest/doctest.h>

#include "service/log.hpp"

using mugaika::log::escape;

TEST_CASE("log: control characters, bidi overrides and stray bytes are escaped, never written raw") {
    CHECK(escape("plain 名前.txt") == "plain 名前.txt");
    // A newline in a file name would otherwise forge a second log line.
    CHECK(escape("a.txt: released\n2026-01-01T00:00:00Z mugaika[1]: info: job x") ==
          "a.txt: released\\n2026-01-01T00:00:00Z mugaika[1]: info: job x");
    CHECK(escape("a\rb\tc\x1b[31m\x7f") == "a\\rb\\tc\\x1b[31m\\x7f");
    CHECK(escape(std::string("nul\0byte", 8)) == "nul\\x00byte");
    // Backslashes are doubled: the escaped text of "\n" (two characters) differs from that of a newline.
    CHECK(escape("back\\nslash") == "back\\\\nslash");
    CHECK(escape("\xe2\x80\xaegpj.exe") == "\\u{202e}gpj.exe");        // RLO
    CHECK(escape("line\xe2\x80\xa8sep") == "line\\u{2028}sep");         // U+2028
    CHECK(escape("c1\xc2\x85") == "c1\\u{0085}");                       // NEL
    CHECK(escape("memo\x83\x65.txt") == "memo\\x83e.txt");               // CP932, not UTF-8
    CHECK(escape("\xc0\xaf") == "\\xc0\\xaf");                           // overlong '/'
    CHECK(escape("\xed\xa0\x80") == "\\xed\\xa0\\x80");                  // a surrogate
    CHECK(escape("\xf0\x9f\x98\x80 ok") == "\xf0\x9f\x98\x80 ok");       // outside the BMP, kept
    // Nothing that leaves escape() breaks a line.
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    std::string e = escape(all);
    CHECK(e.find('\n') == std::string::npos);
    CHECK(e.find('\r') == std::string::npos);
}
