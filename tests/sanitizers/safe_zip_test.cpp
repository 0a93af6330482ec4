// The safe zip reader on its own (it will serve archives too) and through the OOXML sanitizer.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "../../sanitizers/zip/safe_zip.hpp"
#include "../../sanitizers/zip/zip_writer.hpp"
#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

// A Context for calling SafeZip directly.
struct Harness {
    Engine engine{builtin_registry(), Policy::defaults()};
    Limits limits;
    Budget budget{limits};
    SanitizerOptions options;
    Context ctx{engine, budget, options, 0, ""};
};

std::string code_of(const std::string& bytes, const zip::ZipLimits& limits = {}) {
    Harness h;
    try {
        zip::SafeZip z(bytes, limits, h.ctx);
        for (const auto& e : z.entries())
            if (!e.directory) z.read(e, h.ctx);
    } catch (const SanitizeError& e) {
        return e.code();
    }
    return "ok";
}

const Entries kTwo{{"a.txt", "alpha"}, {"dir/b.txt", "beta"}};

}  // namespace

TEST_CASE("safe zip: a plain zip reads back exactly, and the budget is charged") {
    Harness h;
    std::string bytes = make_zip(kTwo);
    zip::SafeZip z(bytes, {}, h.ctx);
    REQUIRE(z.entries().size() == 2);
    const zip::Entry* b = z.find("dir/b.txt");
    REQUIRE(b);
    CHECK(z.read(*b, h.ctx) == "beta");
    CHECK(h.budget.expanded_left() == h.limits.max_expanded_bytes - 4);
    CHECK(code_of(make_raw_zip(kTwo)) == "ok");   // our own writer's output is valid too
}

TEST_CASE("safe zip: dangerous names are findings and cannot be looked up") {
    Harness h;
    std::string bytes = make_raw_zip({{"../../etc/cron.d/x", "1"}, {"/abs/path", "2"}, {"a\\b.txt", "3"}, {"C:evil", "4"},
                                      {"bell\x07.txt", "5"}, {"ok.txt", "6"}});
    zip::SafeZip z(bytes, {}, h.ctx);
    int flagged = 0;
    for (const auto& e : z.entries()) flagged += e.unsafe_name;
    CHECK(flagged == 5);
    CHECK(z.find("../../etc/cron.d/x") == nullptr);
    CHECK(z.find("ok.txt") != nullptr);
    int findings = 0;
    for (const auto& f : h.ctx.findings()) findings += f.kind == "zip.name";
    CHECK(findings == 5);
    CHECK(zip::name_problem(std::string(2000, 'a'), 1024) != "");
    CHECK(zip::name_problem("word/document.xml", 1024) == "");
}

TEST_CASE("safe zip: duplicates, also differing only in case, are ambiguous") {
    CHECK(code_of(make_raw_zip({{"word/document.xml", "1"}, {"word/document.xml", "2"}})) == "zip.ambiguous");
    CHECK(code_of(make_zip({{"word/document.xml", "1"}, {"Word/Document.XML", "2"}})) == "zip.ambiguous");
}

TEST_CASE("safe zip: data before the first entry or after the end is ambiguous (polyglots)") {
    RawZipOptions prefix;
    prefix.prefix = "MZ\x90\x00 this is not a zip entry";
    CHECK(code_of(make_raw_zip(kTwo, prefix)) == "zip.ambiguous");
    CHECK(code_of(make_zip(kTwo) + "<html><script>alert(1)</script></html>") == "zip.ambiguous");
    CHECK(code_of("%PDF-1.4 junk " + make_zip(kTwo)) == "zip.ambiguous");
}

TEST_CASE("safe zip: local and central headers that disagree are ambiguous") {
    RawZipOptions o;
    o.mismatch_index = 1;
    CHECK(code_of(make_raw_zip(kTwo, o)) == "zip.ambiguous");
}

TEST_CASE("safe zip: encrypted entries quarantine as encrypted") {
    RawZipOptions o;
    o.encrypted_index = 0;
    CHECK(code_of(make_raw_zip(kTwo, o)) == "encrypted");
}

TEST_CASE("safe zip: compression ratio bombs stop at the ratio limit") {
    std::string zeros(24u << 20, '\0');
    CHECK(code_of(make_zip({{"bomb.xml", zeros}})) == "limit.ratio");
    // The same data under a generous ratio passes: the limit, not the content, decided.
    zip::ZipLimits generous;
    generous.max_ratio = 100000;
    CHECK(code_of(make_zip({{"bomb.xml", zeros}}), generous) == "ok");
}

TEST_CASE("safe zip: entry count, entry size and name length limits") {
    zip::ZipLimits few;
    few.max_entries = 1;
    CHECK(code_of(make_zip(kTwo), few) == "limit.members");
    zip::ZipLimits small;
    small.max_entry_bytes = 3;
    CHECK(code_of(make_zip(kTwo), small) == "limit.size");
}

TEST_CASE("safe zip: truncated and garbage input is malformed, never a crash") {
    std::string bytes = make_zip(kTwo);
    for (std::size_t cut : {std::size_t(0), std::size_t(10), bytes.size() / 2, bytes.size() - 1}) {
        std::string code = code_of(bytes.substr(0, cut));
        CHECK_MESSAGE((code == "malformed" || code == "zip.ambiguous"), cut, " -> ", code);
    }
    std::string flipped = bytes;
    flipped[40] ^= 0x55;   // inside the first entry's data: CRC or inflate fails
    CHECK(code_of(flipped) != "ok");
}

TEST_CASE("safe zip: zip tricks inside an OOXML package") {
    using namespace mugaika::test::ooxml;
    std::string doc = R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>)";
    std::string ct = R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)";
    std::string rels = R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)" + rel("rId1", "officeDocument", "word/document.xml") + "</Relationships>";
    Entries base{{"[Content_Types].xml", ct}, {"_rels/.rels", rels}, {"word/document.xml", doc}};

    SUBCASE("traversal names are dropped, the document is rebuilt") {
        Entries e = base;
        e.push_back({"../../evil.exe", "MZ"});
        Outcome o = sanitize(make_raw_zip(e), "t.docx");
        REQUIRE(o.verdict == Verdict::disarmed);
        CHECK(has_finding(o, "zip.name"));
        Unzipped z(o.outputs[0].bytes);
        CHECK_FALSE(z.any_contains("evil"));
    }
    SUBCASE("a second document.xml differing in case") {
        Entries e = base;
        e.push_back({"WORD/document.xml", doc});
        Outcome o = sanitize(make_raw_zip(e), "d.docx");
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == "zip.ambiguous");
    }
    SUBCASE("prefix data") {
        RawZipOptions p;
        p.prefix = std::string(64, 'A');
        Outcome o = sanitize(make_raw_zip(base, p), "p.docx");
        CHECK(o.verdict == Verdict::quarantined);
        // Detection may already refuse it (libmagic no longer sees a zip); either way nothing is released.
        CHECK_MESSAGE((o.reason == "zip.ambiguous" || o.reason == "blocked.type"), o.reason, " ", o.reason_detail);
    }
    SUBCASE("an encrypted entry") {
        RawZipOptions p;
        p.encrypted_index = 2;
        Outcome o = sanitize(make_raw_zip(base, p), "e.docx");
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == "encrypted");
    }
    SUBCASE("a ratio bomb part") {
        Entries e = base;
        e.push_back({"word/media/bomb.xml", std::string(24u << 20, ' ')});
        Outcome o = sanitize(make_zip(e), "b.docx");
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == "limit.ratio");
    }
}

TEST_CASE("safe zip: a second end record hidden in the comment is ambiguous") {
    std::string a = make_zip({{"a.txt", "alpha"}});
    // The real end record gets a comment that is itself an end record reaching the end of the file.
    std::string fake = a.substr(a.size() - 22);
    std::string bytes = a.substr(0, a.size() - 2);
    bytes += static_cast<char>(22);
    bytes += '\0';
    fake[20] = 0;
    fake[21] = 0;
    bytes += fake;
    CHECK(code_of(bytes) == "zip.ambiguous");
}

TEST_CASE("safe zip: real encrypted zips are refused by default, whatever passwords exist (OOXML's way)") {
    for (const char* method : {"aes256", "zipcrypto"})
        CHECK(code_of(make_encrypted_zip({{"a.txt", "alpha"}}, "pw", method)) == "encrypted");
}

TEST_CASE("safe zip: with allow_encrypted, only a proven password reads an entry, and the budget is charged once") {
    std::string bytes = make_encrypted_zip({{"a.txt", "alpha alpha alpha"}}, "right", "zipcrypto", {{"b.txt", "beta"}});
    for (bool charge : {true, false}) {
        CAPTURE(charge);
        Harness h;
        zip::SafeZip z(bytes, {}, h.ctx, zip::ZipOptions{.allow_encrypted = true, .charge_budget = charge});
        REQUIRE(z.entries().size() == 2);
        const zip::Entry& a = z.entries()[0];
        const zip::Entry& b = z.entries()[1];
        CHECK(a.encrypted);
        CHECK_FALSE(b.encrypted);
        CHECK_THROWS_WITH_AS(z.read(a, h.ctx), doctest::Contains("encrypted"), SanitizeError);
        try {
            z.read_encrypted(a, {"wrong", "also wrong"}, h.ctx);
            FAIL("a wrong password was accepted");
        } catch (const SanitizeError& e) {
            CHECK(e.code() == "encrypted");
            CHECK(std::string(e.what()).find("wrong") != std::string::npos);   // the words, not the passwords
            CHECK(std::string(e.what()).find("also wrong") == std::string::npos);
        }
        CHECK(h.budget.expanded_left() == h.limits.max_expanded_bytes);   // nothing unproven was charged
        std::size_t used = 99;
        CHECK(z.read_encrypted(a, {"wrong", "right"}, h.ctx, &used) == "alpha alpha alpha");
        CHECK(used == 1);
        CHECK(z.read(b, h.ctx) == "beta");
        CHECK(h.budget.expanded_left() == h.limits.max_expanded_bytes - (charge ? 17 + 4 : 0));
    }
}

TEST_CASE("safe zip: decode_names reads CP932 names and judges the decoded name") {
    // 表 is 0x95 0x5C in CP932: read byte by byte its second byte is a backslash.
    std::string bytes = make_raw_zip({{"\x95\x5c.txt", "1"}, {"ok.txt", "2"}});
    Harness h;
    zip::SafeZip raw(bytes, {}, h.ctx);
    CHECK(raw.entries()[0].unsafe_name);   // OOXML's way: the raw bytes hold a backslash
    zip::SafeZip decoded(bytes, {}, h.ctx, zip::ZipOptions{.decode_names = true});
    CHECK_FALSE(decoded.entries()[0].unsafe_name);
    CHECK(decoded.entries()[0].path == "表.txt");
    CHECK(decoded.entries()[1].path == "ok.txt");
    CHECK(zip::decode_name("caf\xc3\xa9", false) == "café");   // UTF-8 without the flag stays UTF-8
}

// libzip writes a member's time as local time: the fixed 1980-01-02 00:00 UTC is only that in UTC,
// which is why every worker sets TZ=UTC before it starts (worker_main.cpp). Read back by Python.
TEST_CASE("zip writer: the fixed member time is 1980-01-02 00:00 in UTC and follows TZ otherwise") {
    const char* saved = std::getenv("TZ");
    std::string before = saved ? saved : "";
    auto date_time = [](const char* tz) {
        ::setenv("TZ", tz, 1);
        ::tzset();
        zip::ZipWriter w;
        w.add("a.txt", "hello");
        TempDir dir;
        write_file(dir.path / "t.zip", w.finish());
        auto r = run("python3 -c " + shell_quote("import sys, zipfile\nprint(list(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time))") +
                     " " + shell_quote((dir.path / "t.zip").string()));
        REQUIRE(r.status == 0);
        return r.out;
    };
    CHECK(date_time("UTC") == "[1980, 1, 2, 0, 0, 0]\n");
    CHECK(date_time("JST-9") == "[1980, 1, 2, 9, 0, 0]\n");   // a host in Japan without a fixed TZ
    if (saved) ::setenv("TZ", before.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
}

// Members are deflated by libdeflate and handed to libzip with their sizes and CRC; libzip copies
// them. Independent readers (Python's zipfile, Info-ZIP's unzip -t) and our own reader check every
// byte and CRC; incompressible and empty members are stored, and `compress = false` stores.
TEST_CASE("zip writer: deflated members read back exactly in Python, unzip and our reader, incompressible ones are stored") {
    std::string xml = "<?xml version=\"1.0\"?><w:document>";
    while (xml.size() < 300000) xml += "<w:p><w:r><w:t>無害化 paragraph " + std::to_string(xml.size()) + "</w:t></w:r></w:p>";
    xml += "</w:document>";
    std::string noise(70000, '\0');
    std::uint32_t x = 12345;
    for (char& c : noise) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
    struct Member {
        std::string name, bytes;
        bool compress;
        int method;   // expected: 8 deflate, 0 stored
    };
    std::vector<Member> members{
        {"word/document.xml", xml, true, 8},    {"borrowed.xml", xml.substr(0, 5000), true, 8},
        {"media/noise.bin", noise, true, 0},    {"empty.txt", "", true, 0},
        {"one.txt", "x", true, 0},              {"stored.xml", xml.substr(0, 4000), false, 0},
    };
    for (int i = 0; i < 300; ++i) members.push_back({"many/" + std::to_string(i) + ".txt", std::string(200 + i, 'a' + i % 26), true, 8});
    zip::ZipWriter w;
    for (const auto& m : members) {
        if (m.name == "borrowed.xml") w.add_borrowed(m.name, m.bytes, m.compress);
        else w.add(m.name, m.bytes, m.compress);
    }
    std::string bytes = w.finish();

    Harness h;
    zip::SafeZip z(bytes, {}, h.ctx);
    REQUIRE(z.entries().size() == members.size());
    for (const auto& m : members) {
        CAPTURE(m.name);
        const zip::Entry* e = z.find(m.name);
        REQUIRE(e);
        CHECK(e->method == m.method);
        CHECK(z.read(*e, h.ctx) == m.bytes);
        if (m.method == 8) CHECK(e->compressed_size < m.bytes.size() / 3);
    }

    TempDir dir;
    write_file(dir.path / "t.zip", bytes);
    auto unzip = run("unzip -tqq " + shell_quote((dir.path / "t.zip").string()));
    CHECK_MESSAGE(unzip.status == 0, unzip.out);
    // Python checks each CRC as it reads (zipfile raises on a mismatch) and writes each member out.
    std::string expected;   // name and method, one line each
    for (const auto& m : members) expected += m.name + " " + std::to_string(m.method) + "\n";
    auto listed = run("python3 -c " +
                      shell_quote("import os, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n"
                                  "for n, i in enumerate(z.infolist()):\n"
                                  "    open(os.path.join(sys.argv[2], str(n)), 'wb').write(z.read(i))\n"
                                  "    print(i.filename, i.compress_type)") +
                      " " + shell_quote((dir.path / "t.zip").string()) + " " + shell_quote(dir.path.string()));
    REQUIRE(listed.status == 0);
    CHECK(listed.out == expected);
    for (std::size_t i = 0; i < members.size(); ++i) CHECK(read_whole(dir.path / std::to_string(i)) == members[i].bytes);
}
