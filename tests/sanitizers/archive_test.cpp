// The zip archive sanitizer: members through the whole engine, a new zip of the clean outputs, PPAP
// zips opened only with the passwords a person supplied. The rebuilt zips are read back with Info-ZIP's
// unzip and Python's zipfile, not with our own reader.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <zip.h>

#include "../../sanitizers/archive/output_tree.hpp"
#include "../../sanitizers/archive/passwords.hpp"
#include "archive_support.hpp"
#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

const std::string kPassword = "Ppap-パス7391";

Engine make_engine(const Policy& p = Policy::defaults()) { return Engine(builtin_registry(), p); }

ItemSecrets with(std::vector<std::string> passwords) { return ItemSecrets{std::move(passwords)}; }

bool has(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

const Finding* finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return &f;
    return nullptr;
}

const HeldItem* held(const Outcome& o, const std::string& name_part) {
    for (const auto& h : o.held)
        if (h.name.find(name_part) != std::string::npos || h.where.find(name_part) != std::string::npos) return &h;
    return nullptr;
}

std::string report_text(const Outcome& o) { return to_report_json(o).dump() + summary_ja(o) + o.reason_detail; }

// A password other than `right` that passes ZipCrypto's one-byte check for entry 0, as 1 in 256
// wrong passwords do: libzip itself accepts it at open time.
std::string check_byte_collision(const std::string& zip_bytes, const std::string& right) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &err);
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
    REQUIRE(z);
    std::string found;
    for (int i = 0; i < 100000 && found.empty(); ++i) {
        std::string candidate = "wrong-" + std::to_string(i);
        if (candidate == right) continue;
        if (zip_file_t* f = zip_fopen_index_encrypted(z, 0, 0, candidate.c_str())) {
            zip_fclose(f);
            found = candidate;
        }
    }
    zip_discard(z);
    REQUIRE(!found.empty());
    return found;
}

const std::string kNotice = "お知らせ\n来週の会議は\x01中止です。\n";
const std::string kRoster = "氏名,金額\n山田,=1+1\n";

}  // namespace

TEST_CASE("archive: a zip of a text file and a CSV is rebuilt with disarmed members") {
    Engine e = make_engine();
    std::string in = make_zip({{"お知らせ.txt", kNotice}, {"資料/名簿.csv", kRoster}});
    Outcome o = e.process(in, "会議資料.zip");
    CHECK(o.detected_type == "zip");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(o.held.empty());
    CHECK_FALSE(o.keeps_original());
    CHECK(has(o, "zip.rebuilt"));
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"お知らせ.txt", "資料/名簿.csv"});
    CHECK(z.cat("お知らせ.txt") == "お知らせ\n来週の会議は中止です。\n");   // control character gone
    CHECK(z.cat("資料/名簿.csv") == "氏名,金額\n山田,'=1+1\n");             // formula neutralised
    CHECK_FALSE(z.python()["encrypted"].get<bool>());
    for (const auto& c : o.children) CHECK(c.verdict != Verdict::quarantined);
}

TEST_CASE("archive: an executable member is held, the rest is released and the original is kept") {
    Engine e = make_engine();
    std::string in = make_zip({{"readme.txt", "read me\n"},
                               {"setup.exe", "MZ\x90\x00 this is a program"},
                               {"docs/請求書.pdf.exe", "MZ\x90\x00 disguised"}});
    Outcome o = e.process(in, "files.zip");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(o.keeps_original());
    REQUIRE(o.held.size() == 2);
    const HeldItem* exe = held(o, "setup.exe");
    REQUIRE(exe);
    CHECK(exe->reason.starts_with("blocked."));
    const HeldItem* disguised = held(o, "請求書.pdf.exe");
    REQUIRE(disguised);
    CHECK(disguised->reason == "blocked.name");
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"readme.txt"});
    CHECK(z.cat("readme.txt") == "read me\n");
    CHECK(o.outputs[0].bytes.find("this is a program") == std::string::npos);
}

TEST_CASE("archive: when no member is clean the whole zip is held as child.held") {
    Outcome o = make_engine().process(make_zip({{"a.exe", "MZ\x90\x00 one"}, {"b.js", "alert(1)"}}), "x.zip");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == reason::child_held);
    CHECK(o.outputs.empty());
    CHECK(o.held.size() == 2);
}

TEST_CASE("archive: traversal, absolute and drive names are held, device and odd folder names are made safe") {
    Engine e = make_engine();
    std::string in = make_raw_zip({{"../../evil.txt", "x"},
                                   {"/etc/cron.d/job.txt", "x"},
                                   {"a/../../b.txt", "x"},
                                   {"C:/xt.txt", "x"},
                                   {"ok/fine.txt", "fine\n"},
                                   {"CON.txt", "device\n"},
                                   {"aux/inner.txt", "in a device folder\n"},
                                   {"bad.pdf.exe/inner.txt", "in a disguised folder\n"}});
    Outcome o = e.process(in, "slip.zip");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(has(o, "zip.name"));
    std::size_t names_held = 0;
    for (const auto& h : o.held) names_held += h.reason == "blocked.name";
    CHECK(names_held == 5);
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"_CON.txt", "_aux/inner.txt", "ok/fine.txt"});
    CHECK(z.cat("ok/fine.txt") == "fine\n");
    for (const auto& name : z.names()) {
        CHECK(name.find("..") == std::string::npos);
        CHECK(name.front() != '/');
    }
}

TEST_CASE("archive: CP932 member names (Japanese Windows) come out as UTF-8") {
    // 表 is 0x95 0x5C in CP932: its second byte is a backslash when the name is read byte by byte.
    std::string in = make_raw_zip({{"\x95\x5c\x8e\xa6.txt", "表示\n"}, {"\x8e\x91\x97\xbf/\x96\xbc\x95\xeb.csv", "a,b\n"}});
    Outcome o = make_engine().process(in, "sjis.zip");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(o.held.empty());
    OutZip z(o);
    CHECK(z.python()["names"] == nlohmann::json::array({"表示.txt", "資料/名簿.csv"}));
    CHECK(z.cat("表示.txt") == "表示\n");
}

TEST_CASE("archive: a CP932 name quoted in a limit's detail still makes a valid report") {
    // Reports are JSON, which holds only UTF-8: a raw CP932 name in a detail used to make the
    // worker fail (worker.crash) instead of giving the limit.
    std::string in = make_zip({{"a.txt", std::string(20u << 20, '0')}});
    auto at = in.find("a.txt");
    while (at != std::string::npos) {
        in.replace(at, 5, "\x95\x5c\x8e\xa6t");   // 表示t, without the UTF-8 flag
        at = in.find("a.txt", at);
    }
    Outcome o = make_engine().process(in, "sjis.zip");
    CHECK(o.reason == reason::limit_ratio);
    CHECK(o.reason_detail.find("表示t") != std::string::npos);
    std::string json;
    CHECK_NOTHROW(json = to_report_json(o).dump());
    CHECK_NOTHROW(decode_outcome(encode_outcome(o)));
}

TEST_CASE("archive: symbolic links are held, not turned into files") {
    std::string in = make_infozip({{"note.txt", "a note\n"}, {"passwd", "symlink:/etc/passwd"}}, "-y");
    Outcome o = make_engine().process(in, "links.zip");
    CHECK(o.verdict == Verdict::disarmed);
    const HeldItem* link = held(o, "passwd");
    REQUIRE(link);
    CHECK(link->type == "symlink");
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"note.txt"});
}

TEST_CASE("archive: a macro-enabled member renamed by its sanitizer does not overwrite a namesake") {
    std::string in = make_zip({{"report.docx", make_ooxml("docx", "plain one")},
                               {"report.docm", make_ooxml("docm", "macro one", true)}});
    Outcome o = make_engine().process(in, "office.zip");
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(has(o, "zip.name_clash"));
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"report (2).docx", "report.docx"});
    CHECK(z.cat("report (2).docx").find("vbaProject") == std::string::npos);
}

TEST_CASE("archive: output paths are unique case-insensitively and never a file and a folder at once") {
    archive::OutputTree t;
    CHECK(t.place({}, "a.txt") == "a.txt");
    CHECK(t.place({}, "A.TXT") == "A (2).TXT");
    CHECK(t.place({}, "docs") == "docs");
    CHECK(t.place({"docs"}, "b.txt") == "docs (2)/b.txt");   // the file "docs" keeps its name
    CHECK(t.place({"DOCS"}, "c.txt") == "docs (2)/c.txt");   // the same folder, case aside
    CHECK(t.place({"x"}, "y") == "x/y");
    CHECK(t.place({}, "x") == "x (2)");                      // a file cannot take a folder's path
}

TEST_CASE("archive: nested zips recurse through the engine, with the depth limit") {
    std::string inner = make_zip({{"a.txt", "inner text\n"}, {"run.exe", "MZ\x90\x00 nested program"}});
    Outcome o = make_engine().process(make_zip({{"inner.zip", inner}, {"top.txt", "top\n"}}), "outer.zip");
    CHECK(o.verdict == Verdict::disarmed);
    const HeldItem* exe = held(o, "run.exe");
    REQUIRE(exe);
    CHECK(exe->where == "inner.zip/run.exe");
    CHECK(o.keeps_original());
    OutZip z(o);
    CHECK(z.names() == std::vector<std::string>{"inner.zip", "top.txt"});
    TempDir d;
    write_file(d / "inner.zip", z.cat("inner.zip"));
    auto listed = run("unzip -Z1 " + shell_quote((d / "inner.zip").string()));
    CHECK(listed.out == "a.txt\n");
    CHECK(run("unzip -p " + shell_quote((d / "inner.zip").string()) + " a.txt").out == "inner text\n");

    Policy p = Policy::defaults();
    p.limits.max_depth = 2;
    std::string nested = make_zip({{"deep.txt", "deep\n"}});
    for (int i = 0; i < 3; ++i) nested = make_zip({{"level" + std::to_string(i) + ".zip", nested}, {"t.txt", "t\n"}});
    Outcome deep = make_engine(p).process(nested, "nest.zip");
    CHECK(deep.verdict == Verdict::disarmed);
    bool depth_held = false;
    for (const auto& h : deep.held) depth_held = depth_held || h.reason == reason::limit_depth;
    CHECK(depth_held);
}

TEST_CASE("archive: zip bombs, too many members and too much expanded data are limit.* quarantines") {
    // 20 MB of zeros deflate to some 20 KB: a ratio of about 1000.
    Outcome bomb = make_engine().process(make_zip({{"zeros.txt", std::string(20u << 20, '0')}}), "bomb.zip");
    CHECK(bomb.verdict == Verdict::quarantined);
    CHECK(bomb.reason == reason::limit_ratio);
    CHECK(bomb.outputs.empty());

    Policy few = Policy::defaults();
    few.limits.max_members = 4;
    Entries many;
    for (int i = 0; i < 6; ++i) many.push_back({"f" + std::to_string(i) + ".txt", "x\n"});
    Outcome members = make_engine(few).process(make_zip(many), "many.zip");
    CHECK(members.reason == reason::limit_members);
    // Shared across levels: 1 + 3 inside + 2 beside is 6 members of one input.
    std::string inner = make_zip({{"a.txt", "a\n"}, {"b.txt", "b\n"}, {"c.txt", "c\n"}});
    Outcome shared = make_engine(few).process(make_zip({{"in.zip", inner}, {"d.txt", "d\n"}, {"e.txt", "e\n"}}), "n.zip");
    CHECK(shared.verdict == Verdict::quarantined);
    CHECK(shared.reason == reason::limit_members);

    // Each member fits the limit, the two together do not.
    Policy small = Policy::defaults();
    small.limits.max_expanded_bytes = 3000;
    std::string text;
    for (int i = 0; i < 250; ++i) text += "line " + std::to_string(i * 7919 % 1000) + "\n";
    REQUIRE(text.size() > 1500);
    REQUIRE(text.size() < 3000);
    Outcome expanded = make_engine(small).process(make_zip({{"a.txt", text}, {"b.txt", text}}), "big.zip");
    CHECK(expanded.verdict == Verdict::quarantined);
    CHECK(expanded.reason == reason::limit_expanded);
}

TEST_CASE("archive: a PPAP zip without a password is quarantined as encrypted") {
    std::string in = make_encrypted_zip({{"秘密.txt", "機密の本文\n"}}, kPassword, "aes256", {{"readme.txt", "plain\n"}});
    Outcome o = make_engine().process(in, "資料.zip");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == reason::encrypted);
    CHECK(o.outputs.empty());
    const Finding* f = finding(o, "zip.encrypted");
    REQUIRE(f);
    CHECK(f->ja.find("PPAP") != std::string::npos);
    CHECK(f->ja.find("パスワード") != std::string::npos);
    CHECK(std::string(reason::explain_ja(reason::encrypted)).find("パスワード") != std::string::npos);
}

TEST_CASE("archive: with the right password (AES, ZipCrypto by libzip and by Info-ZIP) members are disarmed and the output is not encrypted") {
    Engine e = make_engine();
    std::vector<std::pair<std::string, std::string>> cases{
        {"aes256", make_encrypted_zip({{"秘密.txt", kNotice}, {"名簿.csv", kRoster}}, kPassword, "aes256")},
        {"aes128", make_encrypted_zip({{"秘密.txt", kNotice}, {"名簿.csv", kRoster}}, kPassword, "aes128")},
        {"zipcrypto", make_encrypted_zip({{"秘密.txt", kNotice}, {"名簿.csv", kRoster}}, kPassword, "zipcrypto")},
        {"info-zip", make_infozip({{"秘密.txt", kNotice}, {"名簿.csv", kRoster}}, "-P " + shell_quote(kPassword))},
        {"info-zip stored", make_infozip({{"秘密.txt", kNotice}, {"名簿.csv", kRoster}}, "-0 -P " + shell_quote(kPassword))},
    };
    for (const auto& [label, in] : cases) {
        CAPTURE(label);
        // Info-ZIP's unzip cannot read the member without the password.
        TempDir d;
        write_file(d / "in.zip", in);
        CHECK(run("unzip -p " + shell_quote((d / "in.zip").string()) + " 名簿.csv </dev/null 2>/dev/null").out != kRoster);
        Outcome o = e.process(in, "資料.zip", with({"not this one", kPassword}));
        CHECK(o.verdict == Verdict::disarmed);
        CHECK(o.held.empty());
        CHECK(has(o, "zip.decrypted"));
        OutZip z(o);
        CHECK(z.names() == std::vector<std::string>{"名簿.csv", "秘密.txt"});
        CHECK(z.cat("秘密.txt") == "お知らせ\n来週の会議は中止です。\n");
        CHECK(z.cat("名簿.csv") == "氏名,金額\n山田,'=1+1\n");
        CHECK_FALSE(z.python()["encrypted"].get<bool>());
        CHECK(report_text(o).find(kPassword) == std::string::npos);
    }
}

TEST_CASE("archive: the secrets reach a PPAP zip nested in a plain one") {
    std::string inner = make_encrypted_zip({{"中.txt", "nested secret\n"}}, kPassword, "zipcrypto");
    std::string outer = make_zip({{"送付/ppap.zip", inner}, {"説明.txt", "see inside\n"}});
    Outcome locked = make_engine().process(outer, "outer.zip");
    CHECK(locked.verdict == Verdict::disarmed);   // the rest goes, the PPAP zip is held
    const HeldItem* h = held(locked, "ppap.zip");
    REQUIRE(h);
    CHECK(h->reason == reason::encrypted);

    Outcome opened = make_engine().process(outer, "outer.zip", with({kPassword}));
    CHECK(opened.verdict == Verdict::disarmed);
    CHECK(opened.held.empty());
    OutZip z(opened);
    CHECK(z.names() == std::vector<std::string>{"説明.txt", "送付/ppap.zip"});
    TempDir d;
    write_file(d / "in.zip", z.cat("送付/ppap.zip"));
    CHECK(run("unzip -p " + shell_quote((d / "in.zip").string()) + " '中.txt' </dev/null").out == "nested secret\n");
}

TEST_CASE("archive: a password with a trailing line end or in CP932 still opens the zip") {
    // Info-ZIP takes the password as bytes: here the CP932 bytes of ぱすわーど, as a Japanese Windows tool writes them.
    std::string cp932 = "\x82\xcf\x82\xb7\x82\xed\x81\x5b\x82\xc7";
    std::string in = make_infozip({{"a.txt", "ok\n"}}, "-P " + shell_quote(cp932));
    Outcome o = make_engine().process(in, "jp.zip", with({"ぱすわーど\r\n"}));
    CHECK(o.verdict == Verdict::disarmed);
    CHECK(OutZip(o).cat("a.txt") == "ok\n");

    auto keys = archive::candidate_passwords(with({" abc\n", "", "ぱすわーど"}));
    CHECK(keys == std::vector<std::string>{" abc\n", "abc", "ぱすわーど", cp932});
}

TEST_CASE("archive: with a wrong password nothing of the encrypted members is released") {
    Engine e = make_engine();
    std::string all = make_encrypted_zip({{"秘密.txt", "secret body\n"}}, kPassword, "aes256");
    Outcome o = e.process(all, "資料.zip", with({"wrong"}));
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == reason::encrypted);
    CHECK(o.outputs.empty());
    REQUIRE(o.held.size() == 1);
    CHECK(o.held[0].reason == reason::encrypted);

    std::string mixed = make_encrypted_zip({{"秘密.txt", "secret body\n"}}, kPassword, "zipcrypto", {{"readme.txt", "plain\n"}});
    Outcome m = e.process(mixed, "資料.zip", with({"wrong"}));
    CHECK(m.verdict == Verdict::disarmed);
    CHECK(m.keeps_original());
    const HeldItem* h = held(m, "秘密.txt");
    REQUIRE(h);
    CHECK(h->reason == reason::encrypted);
    OutZip z(m);
    CHECK(z.names() == std::vector<std::string>{"readme.txt"});
    CHECK(m.outputs[0].bytes.find("secret body") == std::string::npos);
}

TEST_CASE("archive: a wrong ZipCrypto password that passes the check byte is caught by the CRC") {
    Engine e = make_engine();
    std::string body = "secret body, long enough to be worth reading: " + std::string(200, 'x') + "\n";
    // Deflated (libzip) and stored (Info-ZIP -0): stored garbage inflates fine, only the CRC exposes it.
    for (const std::string& in : {make_encrypted_zip({{"s.txt", body}}, kPassword, "zipcrypto"),
                                  make_infozip({{"s.txt", body}}, "-0 -P " + shell_quote(kPassword))}) {
        std::string collision = check_byte_collision(in, kPassword);
        CAPTURE(collision);
        Outcome o = e.process(in, "s.zip", with({collision}));
        CHECK(o.verdict == Verdict::quarantined);
        CHECK(o.reason == reason::encrypted);
        CHECK(o.outputs.empty());
        CHECK(e.process(in, "s.zip", with({collision, kPassword})).verdict == Verdict::disarmed);
    }
}

TEST_CASE("archive: tampered WinZip AES data fails its authentication and is held") {
    std::string body(4000, 'a');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 31 + i / 7) % 26);
    // Stored, so that inflate cannot notice, and with the CRC fields zeroed as the AE-2 format has them
    // (libzip writes one anyway): only the HMAC-SHA1 authentication code is left to prove the data.
    std::string in = make_encrypted_zip({{"s.txt", body}}, kPassword, "aes256-store");
    auto u16 = [&](std::size_t at) { return static_cast<unsigned char>(in[at]) | static_cast<unsigned char>(in[at + 1]) << 8; };
    REQUIRE(in.find("\x01\x99\x07\x00\x02\x00", 0) != std::string::npos);   // AES extra field, vendor version AE-2
    std::size_t central = in.find("PK\x01\x02");
    REQUIRE(central != std::string::npos);
    for (std::size_t at : {std::size_t{14}, central + 16}) in.replace(at, 4, std::string(4, '\0'));
    REQUIRE(make_engine().process(in, "s.zip", with({kPassword})).verdict == Verdict::disarmed);
    // Local header: 30 bytes, name, extra; then salt (16), verifier (2), ciphertext.
    std::size_t data = 30 + u16(26) + u16(28);
    in[data + 16 + 2 + 10] ^= 0x01;
    Outcome o = make_engine().process(in, "s.zip", with({kPassword}));
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == reason::encrypted);
    CHECK(o.outputs.empty());
}

TEST_CASE("archive: an Office package with encrypted parts is still refused by OOXML, password or not") {
    // [Content_Types].xml readable, the document part encrypted: detection says docx, and OOXML never decrypts.
    std::string docx = make_ooxml("docx", "hello");
    std::string plain_ct, doc;
    {
        TempDir d;
        write_file(d / "a.docx", docx);
        plain_ct = run("unzip -p " + shell_quote((d / "a.docx").string()) + " '[[]Content_Types].xml'").out;
        doc = run("unzip -p " + shell_quote((d / "a.docx").string()) + " word/document.xml").out;
    }
    REQUIRE(!plain_ct.empty());
    std::string rels = R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>)";
    std::string in = make_encrypted_zip({{"word/document.xml", doc}}, kPassword, "aes256",
                                        {{"[Content_Types].xml", plain_ct}, {"_rels/.rels", rels}});
    Outcome o = make_engine().process(in, "a.docx", with({kPassword}));
    CHECK(o.detected_type == "docx");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.reason == reason::encrypted);
}

TEST_CASE("archive: the password never appears in reports, findings or held details") {
    Engine e = make_engine();
    std::string in = make_encrypted_zip({{"a.txt", "a\n"}}, kPassword, "zipcrypto", {{"b.exe", "MZ\x90\x00 x"}});
    for (const auto& secrets : {with({kPassword}), with({kPassword + "x"}), with({})}) {
        Outcome o = e.process(in, "p.zip", secrets);
        std::string text = report_text(o);
        for (const auto& f : o.findings) text += f.detail + f.ja;
        for (const auto& h : o.held) text += h.detail;
        CHECK(text.find(kPassword) == std::string::npos);
        CHECK(text.find("Ppap") == std::string::npos);
    }
}
