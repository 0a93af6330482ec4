// Type detection on content, for every format the project handles, from fixtures made here.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/detect.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

const Detector& detector() {
    static Detector d;   // one libmagic load for the whole test binary
    return d;
}

std::string type_of(const std::string& bytes, const std::string& name = "x") {
    return std::string(detector().detect(bytes, name).type->id);
}

bool has_finding(const Detection& d, const std::string& kind) {
    for (const auto& f : d.findings)
        if (f.kind == kind) return true;
    return false;
}

}  // namespace

TEST_CASE("detect: text in the encodings Japanese offices use") {
    CHECK(type_of("hello world\n") == "text");
    CHECK(type_of("お知らせ：本日は晴天なり。\n") == "text");
    CHECK(type_of("\x82\xa8\x92\x6d\x82\xe7\x82\xb9\x81\x42\x96\x7b\x93\xfa\x82\xcd\x90\xb0\x93\x56\x82\xc8\x82\xe8\x81\x42\r\n") == "text");  // Shift_JIS
    CHECK(type_of("\xa4\xaa\xc3\xce\xa4\xe9\xa4\xbb\xa1\xa3\xcb\xdc\xc6\xfc\xa4\xcf\xc0\xb2\xc5\xb7\xa4\xca\xa4\xea\xa1\xa3\n") == "text");  // EUC-JP
    CHECK(type_of("\x1b$B$*CN$i$;\x1b(B\n") == "text");  // ISO-2022-JP
    CHECK(type_of(std::string("\xFF\xFEh\0i\0\n\0", 8)) == "text");  // UTF-16LE with BOM
    CHECK(type_of("") == "text");
}

TEST_CASE("detect: CSV is text whose name says CSV, or what libmagic calls CSV") {
    CHECK(type_of("a,b,c\n1,2,3\n", "list.csv") == "csv");
    CHECK(type_of("a\tb\n1\t2\n", "list.tsv") == "csv");
    CHECK(type_of("plain words\n", "list.txt") == "text");
}

TEST_CASE("detect: PDF by content, whatever the name") {
    std::string pdf = make_pdf("hello");
    CHECK(type_of(pdf, "invoice.docx") == "pdf");
    CHECK(type_of("garbage before\n" + pdf) == "pdf");   // readers accept %PDF- within the first KiB
}

TEST_CASE("detect: OOXML by the main part's content type, not by zip or name") {
    for (std::string t : {"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "pptx", "pptm", "potx", "ppsx"}) {
        CAPTURE(t);
        CHECK(type_of(make_ooxml(t), "file.zip") == t);
    }
}

TEST_CASE("detect: a .docx that carries a VBA project is macro-enabled") {
    Detection d = detector().detect(make_ooxml("docx", "hi", true), "report.docx");
    CHECK(d.type->id == "docm");
    CHECK(has_finding(d, "detect.hidden_macros"));
    CHECK(type_of(make_ooxml("xlsx", "hi", true)) == "xlsm");
    CHECK(type_of(make_ooxml("pptx", "hi", true)) == "pptm");
}

TEST_CASE("detect: zip family") {
    CHECK(type_of(make_zip({{"readme.txt", "hi"}})) == "zip");
    CHECK(type_of(make_zip({{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"}, {"a/B.class", "\xCA\xFE\xBA\xBE"}})) == "java");
    CHECK(type_of(make_zip({{"AndroidManifest.xml", "x"}, {"classes.dex", "dex\n035"}})) == "apk");
    CHECK(type_of(make_zip({{"mimetype", "application/vnd.oasis.opendocument.text"}, {"content.xml", "<x/>"}})) == "odt");
    // Content types that name no known main part: a zip, not an Office document.
    CHECK(type_of(make_zip({{"[Content_Types].xml", "<Types/>"}, {"a.xml", "<a/>"}})) == "zip");
}

TEST_CASE("detect: Compound File Binary by its streams") {
    CHECK(type_of(make_cfb({{"WordDocument", std::string(512, 'w')}})) == "doc");
    CHECK(type_of(make_cfb({{"Workbook", std::string(512, 'x')}})) == "xls");
    CHECK(type_of(make_cfb({{"PowerPoint Document", std::string(512, 'p')}})) == "ppt");
    CHECK(type_of(make_cfb({{"EncryptionInfo", std::string(64, 'e')}, {"EncryptedPackage", std::string(512, 'e')}})) ==
          "office-encrypted");
    CHECK(type_of(make_cfb({{"__properties_version1.0", std::string(64, 'm')}})) == "outlook-msg");
    CHECK(type_of(make_cfb({{"Something", std::string(512, 's')}})) == "cfb");
}

TEST_CASE("detect: RTF and mail") {
    CHECK(type_of("{\\rtf1\\ansi hello}") == "rtf");
    CHECK(type_of("From: a@example.jp\r\nTo: b@example.jp\r\nSubject: hi\r\n\r\nbody\r\n", "a.txt") == "eml");
    CHECK(type_of("Received: from x\r\nFrom: a@example.jp\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n") == "eml");
    // A text that merely starts like a header is not mail.
    CHECK(type_of("Note: remember the meeting\nAnd bring tea.\n") == "text");
}

TEST_CASE("detect: programs and things that run are recognised whatever their name") {
    CHECK(type_of("MZ\x90\x00\x03\x00\x00\x00\x04\x00", "photo.jpg") == "exe");
    CHECK(type_of(std::string("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16)) == "elf");
    CHECK(type_of("#!/bin/sh\nrm -rf /\n", "notes.txt") == "script");
    CHECK(type_of(std::string("L\0\0\0\x01\x14\x02\0\0\0\0\0\xC0\0\0\0\0\0\0\x46", 20) + std::string(60, '\0')) == "lnk");
}

TEST_CASE("detect: images, markup and archives") {
    CHECK(type_of(make_png(4, 4)) == "png");
    CHECK(type_of(std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20) + std::string(200, '\0')) == "jpeg");
    CHECK(type_of("GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;") == "gif");
    CHECK(type_of("<!DOCTYPE html><html><body><p>hi</p></body></html>") == "html");
    CHECK(type_of("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>") == "svg");
    CHECK(type_of("<?xml version=\"1.0\"?><data><item>1</item></data>") == "xml");
    Entries one{{"a.txt", "hello hello hello"}};
    CHECK(type_of(make_archive("7zip", "", one)) == "7z");
    CHECK(type_of(make_archive("ustar", "", one)) == "tar");
    CHECK(type_of(make_archive("ustar", "gzip", one)) == "gzip");
    CHECK(type_of(make_archive("ustar", "xz", one)) == "xz");
    CHECK(type_of(make_archive("ustar", "bzip2", one)) == "bzip2");
    CHECK(type_of(make_archive("iso9660", "", one)) == "iso");
}

TEST_CASE("detect: unidentifiable bytes are unknown") {
    std::string noise;
    for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 251));
    CHECK(type_of(noise) == "unknown");
}

TEST_CASE("detect: a file that is two formats at once is a finding") {
    std::string pdf_zip = make_pdf("x") + make_zip({{"evil.js", "alert(1)"}});
    Detection d = detector().detect(pdf_zip, "a.pdf");
    CHECK(d.type->id == "pdf");
    CHECK(has_finding(d, "detect.polyglot"));
    CHECK_FALSE(has_finding(detector().detect(make_pdf("x"), "a.pdf"), "detect.polyglot"));
}

TEST_CASE("detect: markup without an XML declaration is still markup, never plain text") {
    CHECK(type_of("<!DOCTYPE lolz [<!ENTITY lol \"lol\">]><lolz>&lol;</lolz>", "bomb") == "xml");
    CHECK(type_of("<data><a>1</a></data>\n", "data.txt") == "xml");
    CHECK(type_of("<body onload=alert(1)>hi</body>", "page") == "html");
    CHECK(type_of("<3 you\n", "love.txt") == "text");
}

TEST_CASE("detect: more archive, image and installer signatures") {
    CHECK(type_of(std::string("Rar!\x1a\x07\x00\xcf\x90\x73\x00\x00\x0d\x00\x00\x00\x00\x00\x00\x00", 20) + std::string(64, '\0')) == "rar");
    CHECK(type_of(std::string("MSCF\0\0\0\0\x40\0\0\0\0\0\0\0\x2c\0\0\0\0\0\0\0\x03\x01\x01\0\x01\0\0\0", 32) + std::string(64, '\0')) == "cab");
    CHECK(type_of(std::string("II*\0\x08\0\0\0", 8) + std::string(64, '\0')) == "tiff");
    CHECK(type_of(std::string("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\x18\0", 30) + std::string(40, '\0')) == "bmp");
    CHECK(type_of(std::string("RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0", 20) + std::string(24, '\0')) == "webp");
}

TEST_CASE("detect: structure decides between mail and PDF, the other face is a finding") {
    const std::string pdf = make_pdf("x");
    // Any sender controls the Subject and the body: a "%PDF-" there must not make the mail a PDF.
    std::vector<std::string> mails = {
        "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: %PDF-1.7 report\r\n\r\nbody\r\n",
        "Received: from x\r\nFrom: a@example.jp\r\nSubject: hi\r\n\r\n%PDF-1.4\r\n1 0 obj\r\n",
        "From: a@example.jp\nTo: b@example.jp\n\n" + pdf,                                // LF only, raw PDF body
        "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: a@example.jp\nDate: x\n\n" + pdf,   // mbox line
        "Return-Path: <a@example.jp>\r\nX-Note:\r\n %PDF-1.5 folded\r\nFrom: a@example.jp\r\nTo: b\r\n\r\nx\r\n",
    };
    for (const auto& m : mails) {
        CAPTURE(m.substr(0, 60));
        Detection d = detector().detect(m, "message.eml");
        CHECK(d.type->id == "eml");
        CHECK(has_finding(d, "detect.polyglot"));
    }
    // A zip appended to a header block is still read as mail; unzip would find the zip: a finding.
    Detection z = detector().detect("From: a@example.jp\r\nTo: b@example.jp\r\n\r\n" + make_zip({{"a.txt", "hello"}}), "x.eml");
    CHECK(z.type->id == "eml");
    CHECK(has_finding(z, "detect.polyglot"));
    // The same header block in front of a PDF is mail even under a .pdf name (the name check then
    // decides, as for any other mismatch).
    CHECK(type_of("From: a@example.jp\r\nSubject: x\r\n\r\n" + pdf, "report.pdf") == "eml");
}

TEST_CASE("detect: a PDF stays a PDF unless a real header block comes first") {
    const std::string pdf = make_pdf("x");
    CHECK(type_of(pdf) == "pdf");
    CHECK_FALSE(has_finding(detector().detect(pdf, "a.pdf"), "detect.polyglot"));
    // Junk before the header: PDF readers skip it, so it is a PDF, and the prefix is a finding.
    Detection junk = detector().detect("GARBAGE PREFIX\n" + pdf, "a.pdf");
    CHECK(junk.type->id == "pdf");
    CHECK(has_finding(junk, "detect.polyglot"));
    // Header-like lines that do not make a message (one field, no From/Received, no blank line).
    CHECK(type_of("Title: report\n\n" + pdf) == "pdf");
    CHECK(type_of("Subject: a\r\nX-Foo: b\r\n\r\n" + pdf) == "pdf");
    CHECK(type_of("From: a@example.jp\r\nTo: b@example.jp\r\n" + pdf) == "pdf");   // no blank line: no header block
    // Mail headers deep inside a PDF do not matter.
    CHECK(type_of(pdf + "\nFrom: a@example.jp\nTo: b@example.jp\n\n") == "pdf");
    // An RTF that also reads as a header block is mail, with the RTF face as a finding.
    Detection rtf = detector().detect("{\\rtf1: x\r\nFrom: a@example.jp\r\nTo: b@example.jp\r\n\r\n}", "x.eml");
    CHECK(rtf.type->id == "eml");
    CHECK(has_finding(rtf, "detect.polyglot"));
}

// libmagic is asked only for what decides (issue 19): its words only when described, its MIME type
// only where the structure has not decided. The type is the same either way.
TEST_CASE("detect: the type does not depend on whether libmagic's words are asked for") {
    const std::vector<std::pair<std::string, std::string>> samples{
        {make_ooxml("docx", "本文", true), "a.docx"},
        {make_zip({{"a.txt", "hello"}}), "a.zip"},
        {make_pdf("x"), "a.pdf"},
        {"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: s\r\n\r\nbody\r\n", "m.eml"},
        {"<html><body><p>x</p></body></html>", "a.html"},
        {"番号,氏名\n1,山田\n", "a.csv"},
        {"plain text\n", "a.txt"},
        {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "a.png"},
        {"MZ\x90\0", "a.exe"},
    };
    for (const auto& [bytes, name] : samples) {
        CAPTURE(name);
        Detection described = detector().detect(bytes, name, Detector::Describe::yes);
        Detection bare = detector().detect(bytes, name, Detector::Describe::no);
        CHECK(described.type == bare.type);
        CHECK_FALSE(described.magic_description.empty());
        CHECK(bare.magic_description.empty());
        CHECK(described.findings.size() == bare.findings.size());
    }
}

TEST_CASE("detect: the resident database (the worker zygote's) says what the mapped one says") {
    Detector mapped(Detector::Database::mapped);
    Detector resident(Detector::Database::resident);
    REQUIRE(resident.database() == Detector::Database::resident);   // Debian's /etc/magic holds no rule
    const std::vector<std::pair<std::string, std::string>> inputs = {
        {"a.txt", "plain text 日本語\n"},
        {"a.csv", "a,b\n1,2\n"},
        {"a.pdf", make_pdf("hello")},
        {"a.docx", make_ooxml("docx")},
        {"a.xlsx", make_ooxml("xlsx")},
        {"a.png", make_png(3, 2)},
        {"a.zip", make_zip({{"x.txt", "x"}})},
        {"a.doc", make_cfb({{"WordDocument", std::string(512, '\0')}})},
        {"a.gz", make_archive("raw", "gzip", {{"x.txt", "x"}})},
        {"a.bin", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(64, '\0')},
        {"a.html", "<!DOCTYPE html><html><body>x</body></html>\n"},
        {"a.sh", "#!/bin/sh\necho hi\n"},
    };
    for (const auto& [name, bytes] : inputs) {
        CAPTURE(name);
        Detection a = mapped.detect(bytes, name);
        Detection b = resident.detect(bytes, name);
        REQUIRE(a.type);
        REQUIRE(b.type);
        CHECK(std::string(a.type->id) == std::string(b.type->id));
        CHECK(a.magic_mime == b.magic_mime);
        CHECK(a.magic_description == b.magic_description);
        CHECK_FALSE(b.magic_description.empty());   // libmagic did run over the resident database
    }
}
