// Word fields are judged on their effective instruction, after markup compatibility is resolved to
// one branch: nested fields in an instruction, fields outside a short allowlist and HYPERLINKs to
// anything but a literal http(s)/mailto target or a bookmark are unlinked, keeping their displayed
// result. The output is read back with Python's zipfile and xml.etree (tests/support/ooxml_check.py),
// which rebuilds every field its own way.
#include <set>

#include "../../sanitizers/ooxml/field.hpp"
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

namespace {

const std::string MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const std::string WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape";

std::string begin() { return R"(<w:r><w:fldChar w:fldCharType="begin"/></w:r>)"; }
std::string sep() { return R"(<w:r><w:fldChar w:fldCharType="separate"/></w:r>)"; }
std::string end() { return R"(<w:r><w:fldChar w:fldCharType="end"/></w:r>)"; }
std::string instr(const std::string& t) { return "<w:r><w:instrText xml:space=\"preserve\">" + t + "</w:instrText></w:r>"; }
std::string text(const std::string& t) { return "<w:r><w:t>" + t + "</w:t></w:r>"; }
std::string field(const std::string& i, const std::string& result) { return begin() + instr(i) + sep() + text(result) + end(); }

const std::set<std::string> kAllowed{"=", "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE",
                                     "SAVEDATE", "PRINTDATE", "EDITTIME", "AUTHOR", "TITLE", "SUBJECT", "KEYWORDS",
                                     "COMMENTS", "LASTSAVEDBY", "REVNUM", "NUMWORDS", "NUMCHARS", "DOCPROPERTY", "TOC",
                                     "TC", "XE", "INDEX", "REF", "PAGEREF", "NOTEREF", "STYLEREF", "SEQ", "LISTNUM",
                                     "SYMBOL", "EQ", "FORMTEXT", "FORMCHECKBOX", "FORMDROPDOWN", "HYPERLINK"};

// What the independent reader finds: every field left is flat, on the allowlist, and a HYPERLINK
// only to https/http/mailto or a bookmark.
void check_fields(const nlohmann::json& j) {
    for (const auto& f : j["fields"]) {
        std::string i = f["instr"].get<std::string>();
        CAPTURE(i);
        CHECK_FALSE(f["nested"].get<bool>());
        auto start = i.find_first_not_of(" \t\r\n");
        if (start == std::string::npos) continue;
        std::string type;
        for (std::size_t k = start; k < i.size() && (std::isalpha(static_cast<unsigned char>(i[k])) || (k == start && i[k] == '=')); ++k)
            type += static_cast<char>(std::toupper(static_cast<unsigned char>(i[k])));
        CHECK(kAllowed.contains(type));
        if (type == "HYPERLINK") {
            auto q = i.find('"');
            if (q != std::string::npos && i.find("\\l") > q) {
                std::string target = i.substr(q + 1, i.find('"', q + 1) - q - 1);
                CHECK((target.starts_with("https://") || target.starts_with("http://") || target.starts_with("mailto:")));
            }
        }
    }
}

std::string ooxml_field_problem(const std::string& instr) { return mugaika::ooxml::field_problem(instr, true); }

}  // namespace

TEST_CASE("ooxml fields: a field built from a nested field is unlinked, its result kept") {
    Docx d;
    d.body = "<w:p>" + begin() + begin() + instr("DOCPROPERTY cmd") + sep() + text("DDEAUTO c:\\\\x.exe") + end() + sep() +
             text("結果その一") + end() + "</w:p>" +
             "<w:p>" + begin() + instr("HYPERLINK ") + begin() + instr("REF target") + sep() + text("\\\\\\\\203.0.113.9\\\\s") +
             end() + sep() + text("結果その二") + end() + "</w:p>" +
             "<w:p>" + begin() + instr("QUOTE ") + R"(<w:fldSimple w:instr="INCLUDETEXT c:\\x"><w:r><w:t>x</w:t></w:r></w:fldSimple>)" +
             sep() + text("結果その三") + end() + "</w:p>" +
             "<w:p>" + field(" PAGE ", "1") + "</w:p>";
    Outcome o = sanitize(d.build(), "nested.docx");
    auto j = checked_package(o);
    check_fields(j);
    CHECK(has_finding(o, "ooxml.field"));
    std::string doc = Unzipped(o.outputs[0].bytes).part("word/document.xml");
    for (const char* kept : {"結果その一", "結果その二", "結果その三"}) CHECK(doc.find(kept) != std::string::npos);
    for (const char* gone : {"DOCPROPERTY", "DDEAUTO", "HYPERLINK", "REF target", "INCLUDETEXT", "QUOTE", "203.0.113.9"})
        CHECK(doc.find(gone) == std::string::npos);
    CHECK(doc.find(" PAGE ") != std::string::npos);
    std::size_t fields = 0;
    for (const auto& f : j["fields"]) fields += !f["instr"].get<std::string>().empty();
    CHECK(fields == 1);   // PAGE only
}

TEST_CASE("ooxml fields: markup compatibility is resolved first, a Fallback instruction cannot hide") {
    // Choice (wps, understood) holds a harmless field whose separate comes before the Fallback's
    // DDEAUTO instruction: judged as one run sequence, DDEAUTO was never seen.
    auto doc_with = [](const std::string& requires_, const std::string& choice, const std::string& fallback) {
        Docx d;
        d.body = "<w:p xmlns:mc=\"" + MC_NS + "\" xmlns:wps=\"" + WPS_NS + "\" xmlns:z=\"urn:example:unknown\">" +
                 "<mc:AlternateContent><mc:Choice Requires=\"" + requires_ + "\">" + choice + "</mc:Choice><mc:Fallback>" +
                 fallback + "</mc:Fallback></mc:AlternateContent></w:p>";
        return d.build();
    };
    struct Case {
        std::string requires_, choice, fallback, kept, gone;
    };
    const std::vector<Case> cases{
        {"wps", begin() + instr("PAGE") + sep() + text("選択肢"), instr(" DDEAUTO c:\\\\cmd.exe \"/c calc\" ") + text("代替") + end(),
         "選択肢", "DDEAUTO"},
        {"z", field("DDEAUTO c:\\\\cmd.exe x", "危険"), field("PAGE", "安全な代替"), "安全な代替", "DDEAUTO"},
        {"wps z", field("INCLUDETEXT \\\\\\\\203.0.113.9\\\\x", "危険"), text("代替文"), "代替文", "INCLUDETEXT"},
        {"", field("DDE cmd x", "危険"), text("空のRequires"), "空のRequires", "DDE"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.requires_);
        Outcome o = sanitize(doc_with(c.requires_, c.choice, c.fallback), "mc.docx");
        auto j = checked_package(o);   // fails on any mc: element left
        check_fields(j);
        std::string doc = Unzipped(o.outputs[0].bytes).part("word/document.xml");
        CHECK(doc.find(c.kept) != std::string::npos);
        CHECK(doc.find(c.gone) == std::string::npos);
        CHECK(doc.find("AlternateContent") == std::string::npos);
    }
}

TEST_CASE("ooxml fields: whole fields in one run, odd spellings and other hiding places") {
    Docx d;
    d.body =
        // begin, instruction and separate in one run
        R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"</w:instrText><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>一つの実行</w:t></w:r>)" +
        end() + "</w:p>" +
        // case, leading spaces, quotes, tabs, a full-width space before the type
        "<w:p>" + field("  ddeauto c:\\\\x \"y\"", "小文字") + field("\"DDEAUTO\" c:\\\\x", "引用符") +
        field("\tDdE\tcmd", "タブ") + field("\xE3\x80\x80" "DDEAUTO c:\\\\x", "全角空白") + "</w:p>" +
        // instruction in deleted text and in w:t inside the instruction
        "<w:p>" + begin() + "<w:del w:id=\"1\" w:author=\"a\"><w:r><w:delInstrText>INCLUDETEXT \\\\\\\\203.0.113.9\\\\x</w:delInstrText></w:r></w:del>" +
        sep() + text("削除済み命令") + end() + begin() + text("DDEAUTO c:\\\\x") + sep() + text("本文命令") + end() + "</w:p>" +
        // an instruction outside any field, a separate and an end of no field
        "<w:p>" + instr("INCLUDEPICTURE \\\\\\\\203.0.113.9\\\\p.png") + sep() + end() + text("迷子") + "</w:p>" +
        // never closed
        "<w:p>" + begin() + instr("DDEAUTO c:\\\\x") + sep() + text("閉じない") + "</w:p>" +
        // form field macros
        R"(<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:entryMacro w:val="AutoOpen"/><w:exitMacro w:val="Evil"/></w:ffData></w:fldChar></w:r>)" +
        instr(" FORMTEXT ") + sep() + text("フォーム") + end() + "</w:p>";
    Outcome o = sanitize(d.build(), "odd.docx");
    auto j = checked_package(o);
    check_fields(j);
    std::string doc = Unzipped(o.outputs[0].bytes).part("word/document.xml");
    for (const char* kept : {"一つの実行", "小文字", "引用符", "タブ", "全角空白", "削除済み命令", "本文命令", "迷子", "閉じない", "フォーム"})
        CHECK(doc.find(kept) != std::string::npos);
    for (const char* gone : {"DDE", "dde", "DdE", "INCLUDE", "203.0.113.9", "cmd.exe", "entryMacro", "exitMacro", "AutoOpen"})
        CHECK(doc.find(gone) == std::string::npos);
    CHECK(doc.find("FORMTEXT") != std::string::npos);
    CHECK(has_finding(o, "ooxml.macro"));
}

TEST_CASE("ooxml fields: HYPERLINK keeps only a literal http(s)/mailto target or a bookmark") {
    struct Case {
        std::string instr;
        bool stays;
    };
    const std::vector<Case> cases{
        {"HYPERLINK \"https://www.city.example.lg.jp/\"", true},
        {"HYPERLINK \"mailto:somu@city.example.lg.jp\" \\o \"送信\"", true},
        {"HYPERLINK \\l \"第2章\"", true},
        {"HYPERLINK \"https://www.city.example.lg.jp/\" \\l \"top\" \\n", true},
        {"HYPERLINK \"\\\\\\\\203.0.113.9\\\\share\"", false},
        {"HYPERLINK \"file:///C:/Windows/System32/calc.exe\"", false},
        {"HYPERLINK \"https://ok.example/\" \"\\\\\\\\203.0.113.9\\\\s\"", false},
        {"HYPERLINK \"https://ok.example/\" \\x \"y\"", false},
        {"HYPERLINK \\l", false},
        {"HYPERLINK \"https://ok.example/", false},
        {"HYPERLINK javascript:alert(1)", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.instr);
        Docx d;
        d.body = "<w:p>" + field(c.instr, "リンク文字") + "</w:p>";
        Outcome o = sanitize(d.build(), "h.docx");
        auto j = checked_package(o);
        check_fields(j);
        std::string doc = Unzipped(o.outputs[0].bytes).part("word/document.xml");
        CHECK(doc.find("リンク文字") != std::string::npos);
        CHECK((doc.find("HYPERLINK") != std::string::npos) == c.stays);
    }
}

TEST_CASE("ooxml fields: document properties a field can show stay only as plain values") {
    Docx d;
    d.body = "<w:p>" + field(" DOCPROPERTY 機密性 ", "機密性2") + "</w:p>";
    const std::string vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes";
    const std::string cp = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties";
    const std::string ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties";
    d.package_rels = rel("rIdC", "custom-properties", "docProps/custom.xml") + rel("rIdA", "extended-properties", "docProps/app.xml");
    d.types = {{"/docProps/custom.xml", CT + "custom-properties+xml"}, {"/docProps/app.xml", CT + "extended-properties+xml"}};
    auto prop = [&](int pid, const std::string& name, const std::string& value) {
        return "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"" + std::to_string(pid) + "\" name=\"" + name + "\">" + value + "</property>";
    };
    d.parts = {{"docProps/custom.xml", "<Properties xmlns=\"" + cp + "\" xmlns:vt=\"" + vt + "\">" +
                                           prop(2, "機密性", "<vt:lpwstr>機密性2</vt:lpwstr>") + prop(3, "版", "<vt:i4>3</vt:i4>") +
                                           prop(4, "blob", "<vt:blob>TVqQAAMAAAAEAAAA</vt:blob>") +
                                           prop(5, "vec", "<vt:vector size=\"1\" baseType=\"lpwstr\"><vt:lpwstr>x</vt:lpwstr></vt:vector>") +
                                           prop(6, "two", "<vt:lpwstr>a</vt:lpwstr><vt:lpwstr>b</vt:lpwstr>") + "</Properties>"},
               {"docProps/app.xml", "<Properties xmlns=\"" + ep + "\" xmlns:vt=\"" + vt + "\"><Application>Microsoft Office Word</Application>"
                                    "<HyperlinkBase>\\\\203.0.113.9\\share\\</HyperlinkBase><HLinks><vt:vector size=\"1\" baseType=\"variant\"><vt:variant><vt:lpwstr>file://203.0.113.9/x</vt:lpwstr></vt:variant></vt:vector></HLinks></Properties>"}};
    Outcome o = sanitize(d.build(), "props.docx");
    checked_package(o);
    CHECK(has_finding(o, "ooxml.metadata"));
    Unzipped z(o.outputs[0].bytes);
    std::string custom = z.part("docProps/custom.xml"), app = z.part("docProps/app.xml");
    CHECK(custom.find("機密性2") != std::string::npos);
    CHECK(custom.find("<vt:i4>3</vt:i4>") != std::string::npos);
    CHECK(custom.find("blob") == std::string::npos);
    CHECK(custom.find("vector") == std::string::npos);
    CHECK(custom.find("name=\"two\"") == std::string::npos);
    CHECK(app.find("Microsoft Office Word") != std::string::npos);
    CHECK(app.find("203.0.113.9") == std::string::npos);
    CHECK(app.find("HyperlinkBase") == std::string::npos);
    CHECK(z.part("word/document.xml").find("DOCPROPERTY") != std::string::npos);   // a plain property may be shown
}

TEST_CASE("ooxml fields: the field judge on its own") {
    CHECK(ooxml_field_problem(" PAGE \\* MERGEFORMAT ").empty());
    CHECK(ooxml_field_problem("").empty());
    CHECK(ooxml_field_problem("= SUM(ABOVE) \\# \"#,##0\"").empty());
    CHECK_FALSE(ooxml_field_problem("PAGE1").empty());   // a bookmark named PAGE1, not PAGE
    CHECK_FALSE(ooxml_field_problem("DOCVARIABLE x").empty());
    CHECK_FALSE(ooxml_field_problem("IF 1 = 1 \"a\" \"b\"").empty());
    CHECK_FALSE(ooxml_field_problem("MERGEFIELD x").empty());
    CHECK_FALSE(ooxml_field_problem("REF \"unterminated").empty());
    CHECK_FALSE(ooxml_field_problem(std::string(70000, ' ') + "x").empty());
}
