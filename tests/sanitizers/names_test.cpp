#include <doctest/doctest.h>

#include "mugaika/names.hpp"

using namespace mugaika;

namespace {
bool has(const NameCheck& n, const std::string& kind) {
    for (const auto& f : n.findings)
        if (f.kind == kind) return true;
    return false;
}
}  // namespace

TEST_CASE("names: an ordinary Japanese name passes unchanged") {
    NameCheck n = check_name("令和6年度 予算案.xlsx");
    CHECK(n.safe_name == "令和6年度 予算案.xlsx");
    CHECK(n.extension == "xlsx");
    CHECK(n.findings.empty());
    CHECK_FALSE(n.dangerous);
}

TEST_CASE("names: right-to-left override is removed and marks the name dangerous") {
    NameCheck n = check_name("請求書\u202Egpj.exe");
    CHECK(n.safe_name == "請求書gpj.exe");
    CHECK(has(n, "name.bidi"));
    CHECK(n.dangerous);
}

TEST_CASE("names: double extensions that hide an executable") {
    NameCheck n = check_name("請求書.pdf.exe");
    CHECK(n.dangerous);
    CHECK(has(n, "name.double_extension"));
    NameCheck spaced = check_name("請求書.pdf                    .exe");
    CHECK(spaced.dangerous);
    CHECK(spaced.safe_name == "請求書.pdf.exe");
    CHECK(check_name("setup.exe").dangerous);
    CHECK(has(check_name("setup.exe"), "name.dangerous_extension"));
    CHECK(check_name("run.JS").dangerous);
    CHECK(check_name("link.lnk").dangerous);
    CHECK_FALSE(check_name("report.pdf").dangerous);
}

TEST_CASE("names: trailing dots and spaces cannot smuggle an extension") {
    NameCheck n = check_name("evil.exe. . ");
    CHECK(n.safe_name == "evil.exe");
    CHECK(n.dangerous);
    CHECK(has(n, "name.trailing"));
}

TEST_CASE("names: paths and traversal are stripped") {
    NameCheck n = check_name("../../etc/passwd");
    CHECK(n.safe_name == "passwd");
    CHECK(has(n, "name.path"));
    CHECK(has(n, "name.traversal"));
    CHECK(check_name("C:\\Users\\a\\doc.txt").safe_name == "doc.txt");
    CHECK(check_name("..").safe_name == "file");
    CHECK(check_name("").safe_name == "file");
}

TEST_CASE("names: reserved device names and characters Windows refuses") {
    CHECK(check_name("CON.txt").safe_name == "_CON.txt");
    CHECK(check_name("lpt1").safe_name == "_lpt1");
    CHECK(has(check_name("nul.txt"), "name.reserved_device"));
    CHECK(check_name("a<b>c:d|e?.txt").safe_name == "a_b_c_d_e_.txt");
}

TEST_CASE("names: controls, invisible characters and invalid UTF-8") {
    CHECK(check_name("a\tb\x01.txt").safe_name == "ab.txt");
    CHECK(check_name("a\u200Bb.txt").safe_name == "ab.txt");
    NameCheck bad = check_name("a\xff\xfe.txt");
    CHECK(bad.safe_name == "a__.txt");
    CHECK(has(bad, "name.encoding"));
}

TEST_CASE("names: over-long names are cut on a character boundary, keeping the extension") {
    std::string longname;
    for (int i = 0; i < 150; ++i) longname += "あ";
    NameCheck n = check_name(longname + ".docx");
    CHECK(n.safe_name.size() <= max_name_bytes);
    CHECK(n.safe_name.ends_with(".docx"));
    CHECK(has(n, "name.too_long"));
    // Still valid UTF-8: every kept character is a whole あ (3 bytes).
    CHECK((n.safe_name.size() - 5) % 3 == 0);
}

TEST_CASE("names: decomposed (NFD) names become NFC") {
    CHECK(check_name("\u30CF\u309A\u30FC\u30C8.txt").safe_name == "\u30D1\u30FC\u30C8.txt");   // パート
}

TEST_CASE("names: with_extension") {
    CHECK(with_extension("a.docm", "docx") == "a.docx");
    CHECK(with_extension("noext", "pdf") == "noext.pdf");
    CHECK(with_extension("a.b.c", "txt") == "a.b.txt");
}

TEST_CASE("names: the case of a clean name is kept") {
    NameCheck n = check_name("Report.PDF");
    CHECK(n.safe_name == "Report.PDF");
    CHECK(n.extension == "pdf");
    CHECK(n.findings.empty());
    CHECK(check_name("SETUP.EXE").dangerous);
    CHECK(check_name("Invoice.PDF.Exe").dangerous);
}

TEST_CASE("names: valid_utf8 keeps valid text and replaces every invalid sequence with U+FFFD") {
    CHECK(valid_utf8("請求書.pdf") == "請求書.pdf");
    CHECK(valid_utf8("a\x83\x65.txt") == "a\xEF\xBF\xBD" "e.txt");            // a CP932 byte pair from an old client
    CHECK(valid_utf8("\xE8\xAB") == "\xEF\xBF\xBD");                           // a truncated sequence
    CHECK(valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");               // an overlong '/'
    CHECK(valid_utf8(std::string("x\0y", 3)) == std::string("x\0y", 3));
}

TEST_CASE("names: a CP932 name is read as CP932, with a finding, and its 0x5C is not a separator") {
    // 表 is 0x95 0x5C in CP932: read byte by byte it would hold a backslash and lose "folder" parts.
    NameCheck n = check_name("\x95\x5c\x8e\xa6.txt");   // 表示.txt
    CHECK(n.safe_name == "表示.txt");
    CHECK(has(n, "name.encoding"));
    CHECK_FALSE(has(n, "name.path"));
    CHECK(display_name("\x95\x5c\x8e\xa6.txt") == "表示.txt");
    CHECK(display_name("plain.txt") == "plain.txt");
    CHECK(display_name("a\xff.txt") == "a\xef\xbf\xbd.txt");
    // Still judged after decoding: a CP932 name hiding an executable behind a document extension.
    NameCheck exe = check_name("\x90\xbf\x8b\x81\x8f\x91.pdf.exe");   // 請求書.pdf.exe
    CHECK(exe.dangerous);
    CHECK(has(exe, "name.double_extension"));
}
