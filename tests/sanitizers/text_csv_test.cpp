#include <doctest/doctest.h>

#include "../../sanitizers/text/charset.hpp"
#include "mugaika/engine.hpp"

using namespace mugaika;

namespace {

const Engine& engine() {
    static Engine e(builtin_registry(), Policy::defaults());
    return e;
}

bool has(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

}  // namespace

TEST_CASE("text: clean text is released byte for byte") {
    std::string sjis = "\x82\xa8\x92\x6d\x82\xe7\x82\xb9\r\n";
    Outcome o = engine().process(sjis, "notice.txt");
    CHECK(o.verdict == Verdict::released);
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == sjis);
    CHECK(o.outputs[0].name == "notice.txt");
}

TEST_CASE("text: control characters are removed and the encoding is kept") {
    std::string sjis = "\x82\xa8\x07\x92\x6d\x1b\x82\xe7\x82\xb9\t\r\n";   // お BEL 知 ESC らせ TAB CRLF
    Outcome o = engine().process(sjis, "notice.txt");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(has(o, "text.control"));
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == "\x82\xa8\x92\x6d\x82\xe7\x82\xb9\t\r\n");
}

TEST_CASE("text: UTF-16 keeps its BOM, ISO-2022-JP stays ISO-2022-JP") {
    std::string u16("\xFF\xFE" "a\0\x01\0b\0", 8);
    Outcome o = engine().process(u16, "a.txt");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == std::string("\xFF\xFE" "a\0b\0", 6));

    std::string jis = "\x1b$B$*CN$i$;\x1b(B\x7f\n";
    Outcome j = engine().process(jis, "j.txt");
    REQUIRE(j.outputs.size() == 1);
    CHECK(charset::decode(j.outputs[0].bytes, "ISO-2022-JP") == "お知らせ\n");
}

TEST_CASE("text: bytes that are not text in any supported encoding are not released") {
    Outcome o = engine().process(std::string("\x82\x20\xff\xfe\x81", 5) + "zz", "odd.txt");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.outputs.empty());
}

TEST_CASE("csv: formula injection is neutralised, plain numbers are kept") {
    std::string in = "name,amount,note\r\nA,-300,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\nB,+5,@SUM(A1)\r\nC,12.5,\"-2+3\"\r\n";
    Outcome o = engine().process(in, "list.csv");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(has(o, "csv.formula"));
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes ==
          "name,amount,note\r\nA,-300,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\nB,+5,'@SUM(A1)\r\nC,12.5,\"'-2+3\"\r\n");
}

TEST_CASE("csv: full-width triggers, tab and CR starts are neutralised too") {
    Outcome o = engine().process("\xEF\xBC\x9D" "1+1,\"\rcmd\"\n", "a.csv");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == "'\xEF\xBC\x9D" "1+1,\"'\rcmd\"\n");
}

TEST_CASE("csv: a Shift_JIS CSV stays Shift_JIS so Excel still opens it") {
    // 氏名,式\r\n山田,=1+1\r\n in CP932
    std::string sjis = "\x8e\x81\x96\xbc,\x8e\xae\r\n\x8e\x52\x93\x63,=1+1\r\n";
    Outcome o = engine().process(sjis, "名簿.csv");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].bytes == "\x8e\x81\x96\xbc,\x8e\xae\r\n\x8e\x52\x93\x63,'=1+1\r\n");
    CHECK(o.outputs[0].name == "名簿.csv");
}

TEST_CASE("csv: TSV uses tabs, a clean CSV is released as it is") {
    Outcome t = engine().process("a\tb\n=x\t2\n", "t.tsv");
    REQUIRE(t.outputs.size() == 1);
    CHECK(t.outputs[0].bytes == "a\tb\n'=x\t2\n");
    std::string clean = "a,b\n1,2\n";
    Outcome c = engine().process(clean, "c.csv");
    CHECK(c.verdict == Verdict::released);
    CHECK(c.outputs[0].bytes == clean);
}

TEST_CASE("csv: an unterminated quoted field is malformed, not guessed") {
    Outcome o = engine().process("a,\"b\n1,2\n", "bad.csv");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == "malformed");
}
