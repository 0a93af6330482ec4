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
