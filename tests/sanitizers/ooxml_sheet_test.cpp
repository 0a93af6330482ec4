// Excel and PowerPoint: XLM macro sheets, Auto_Open, DDE formulas, external links, data connections,
// query tables, OLE/ActiveX lists; ppaction://program links and OLE frames.
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;

namespace {

Xlsx hostile_workbook() {
    Xlsx x;
    x.main_type = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";
    x.sheets.push_back({"Macro1", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
                        "application/vnd.ms-excel.macrosheet+xml",
                        R"(<sheetData><row r="1"><c r="A1" t="str"><f>EXEC("calc.exe")</f><v>0</v></c></row></sheetData>)", ""});
    x.sheets.push_back({"集計", "worksheet", "",
                        R"(<sheetData>)"
                        R"(<row r="1"><c r="A1"><v>2</v></c></row>)"
                        R"(<row r="2"><c r="A2"><v>3</v></c></row>)"
                        R"(<row r="3"><c r="A3"><f>SUM(A1:A2)</f><v>5</v></c></row>)"
                        R"(<row r="4"><c r="A4"><f>cmd|' /C calc'!A0</f><v>0</v></c></row>)"
                        R"(<row r="5"><c r="A5"><f>[1]Sheet1!A1</f><v>7</v></c></row>)"
                        R"(<row r="6"><c r="A6" t="str"><f>_xlfn.WEBSERVICE("http://198.51.100.1/x")</f><v>w</v></c></row>)"
                        R"(<row r="7"><c r="A7" t="s"><v>0</v></c></row>)"
                        R"(<row r="8"><c r="A8"><f t="shared" ref="A8:A9" si="0">msexcel|'\..\..\..\Windows\System32\cmd.exe /c calc'!''</f><v>0</v></c></row>)"
                        R"(<row r="9"><c r="A9"><f t="shared" si="0"/><v>0</v></c></row>)"
                        R"(</sheetData>)"
                        R"(<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>cmd|'/c calc'!A0</formula></cfRule></conditionalFormatting>)"
                        R"(<oleObjects><oleObject progId="Package" shapeId="1025" r:id="rIdOle"/></oleObjects>)"
                        R"(<controls><control shapeId="1026" r:id="rIdAx" name="CommandButton1"/></controls>)"
                        R"(<tableParts count="1"><tablePart r:id="rIdT"/></tableParts>)",
                        rel("rIdOle", "oleObject", "../embeddings/oleObject1.bin") + rel("rIdAx", "control", "../activeX/activeX1.xml") +
                            rel("rIdQ", "queryTable", "../queryTables/queryTable1.xml") + rel("rIdT", "table", "../tables/table1.xml")});
    x.shared_strings = "<si><t>合計</t></si>";
    x.workbook_extra = R"(<externalReferences><externalReference r:id="rIdExt"/></externalReferences>)"
                       R"(<definedNames><definedName name="_xlnm.Auto_Open">Macro1!$A$1</definedName><definedName name="Auto_Open2">Macro1!$A$1</definedName>)"
                       R"(<definedName name="Run" function="1" xlm="1">Macro1!$A$1</definedName>)"
                       R"(<definedName name="Local" localSheetId="1">集計!$A$1</definedName><definedName name="Total">集計!$A$1:$A$2</definedName></definedNames>)";
    x.workbook_rels = rel("rIdExt", "externalLink", "externalLinks/externalLink1.xml") + rel("rIdCon", "connections", "connections.xml") +
                      rel("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin");
    x.types = {{"/xl/externalLinks/externalLink1.xml", CT + "spreadsheetml.externalLink+xml"},
               {"/xl/connections.xml", CT + "spreadsheetml.connections+xml"},
               {"/xl/queryTables/queryTable1.xml", CT + "spreadsheetml.queryTable+xml"},
               {"/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"},
               {"/xl/tables/table1.xml", CT + "spreadsheetml.table+xml"}};
    x.parts = {{"xl/externalLinks/externalLink1.xml", "<externalLink xmlns=\"" + X_NS + "\"><ddeLink ddeService=\"cmd\" ddeTopic=\"/c calc\"/></externalLink>"},
               {"xl/connections.xml", "<connections xmlns=\"" + X_NS + "\"><connection id=\"1\" name=\"c\" type=\"4\"><webPr url=\"http://198.51.100.1/q\"/></connection></connections>"},
               {"xl/queryTables/queryTable1.xml", "<queryTable xmlns=\"" + X_NS + "\" name=\"q\" connectionId=\"1\"/>"},
               {"xl/vbaProject.bin", make_cfb({{"VBA", "Sub Auto_Open()"}})},
               {"xl/embeddings/oleObject1.bin", make_cfb({{"\x01Ole10Native", "MZ"}})},
               {"xl/activeX/activeX1.xml", "<ax:ocx xmlns:ax=\"http://schemas.microsoft.com/office/2006/activeX\"/>"},
               {"xl/tables/table1.xml", "<table xmlns=\"" + X_NS + "\" id=\"1\" name=\"T\" ref=\"A1:B3\" tableType=\"queryTable\" connectionId=\"1\"><tableColumns count=\"2\">"
                                        "<tableColumn id=\"1\" name=\"a\" queryTableFieldId=\"1\"><calculatedColumnFormula>cmd|'/c calc'!A0</calculatedColumnFormula></tableColumn>"
                                        "<tableColumn id=\"2\" name=\"b\"><calculatedColumnFormula>T[[#This Row],[a]]*2</calculatedColumnFormula></tableColumn></tableColumns></table>"}};
    return x;
}

}  // namespace

TEST_CASE("ooxml: xlsm with XLM macro sheet, Auto_Open, DDE formulas, external links and connections") {
    Outcome o = sanitize(hostile_workbook().build(), "book.xlsm");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(o.outputs[0].type == "xlsx");
    CHECK(o.outputs[0].name == "book.xlsx");
    for (const char* kind : {"ooxml.vba", "ooxml.xlm", "ooxml.defined_name", "ooxml.formula", "ooxml.external_link",
                             "ooxml.connection", "ooxml.query_table", "ooxml.ole", "ooxml.activex", "ooxml.macro_enabled"})
        CHECK_MESSAGE(has_finding(o, kind), kind);

    Unzipped z(o.outputs[0].bytes);
    for (const char* gone : {"macrosheet", "sheet1.xml", "externalLink", "connections", "queryTable", "vbaProject", "embeddings", "activeX"})
        CHECK_MESSAGE(!z.any_contains(gone), gone);
    std::string book = z.part("xl/workbook.xml");
    CHECK(book.find("Auto_Open") == std::string::npos);
    CHECK(book.find("Macro1") == std::string::npos);
    CHECK(book.find("externalReferences") == std::string::npos);
    CHECK(book.find("name=\"Total\"") != std::string::npos);
    CHECK(book.find("name=\"Local\" localSheetId=\"0\"") != std::string::npos);   // renumbered after the macro sheet went
    CHECK(book.find("activeTab=\"0\"") != std::string::npos);
    CHECK(book.find("集計") != std::string::npos);

    std::string sheet = z.part("xl/worksheets/sheet2.xml");
    CHECK(sheet.find("SUM(A1:A2)") != std::string::npos);   // safe formulas stay
    CHECK(sheet.find("|") == std::string::npos);
    CHECK(sheet.find("[1]") == std::string::npos);
    CHECK(sheet.find("WEBSERVICE") == std::string::npos);
    CHECK(sheet.find("t=\"shared\"") == std::string::npos);
    CHECK(sheet.find("cfRule") == std::string::npos);
    CHECK(sheet.find("oleObject") == std::string::npos);
    CHECK(sheet.find("control") == std::string::npos);
    CHECK(sheet.find("<v>7</v>") != std::string::npos);      // cached values stay
    CHECK(z.part("xl/sharedStrings.xml").find("合計") != std::string::npos);
    std::string table = z.part("xl/tables/table1.xml");
    CHECK(table.find("connectionId") == std::string::npos);
    CHECK(table.find("queryTable") == std::string::npos);
    CHECK(table.find("|") == std::string::npos);
    CHECK(table.find("T[[#This Row],[a]]*2") != std::string::npos);
    std::string types = z.part("[Content_Types].xml");
    CHECK(types.find("macroEnabled") == std::string::npos);
    CHECK(types.find("spreadsheetml.sheet.main+xml") != std::string::npos);
}

TEST_CASE("ooxml: a workbook whose only sheet is a macro sheet is quarantined") {
    Xlsx x;
    x.main_type = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";
    x.sheets.push_back({"Macro1", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
                        "application/vnd.ms-excel.macrosheet+xml", "<sheetData/>", ""});
    Outcome o = sanitize(x.build(), "only-macro.xlsm");
    CHECK(o.verdict == Verdict::quarantined);
    CHECK(o.outputs.empty());
}

TEST_CASE("ooxml: pptm with VBA, ppaction://program and file links, OLE frame with preview") {
    Pptx p;
    p.main_type = "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml";
    std::string ole_frame =
        R"(<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="v"><p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="9" name="Object 1"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole"><p:oleObj name="Packager" r:id="rIdOle" progId="Package"><p:embed/></p:oleObj></a:graphicData></a:graphic></p:graphicFrame></mc:Choice>)"
        R"(<mc:Fallback><p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="9" name="Object 1"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole"><p:oleObj name="Packager" r:id="rIdOle" progId="Package"><p:embed/><p:pic><p:nvPicPr><p:cNvPr id="10" name="preview"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="rIdPrev"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="100" cy="100"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic></p:oleObj></a:graphicData></a:graphic></p:graphicFrame></mc:Fallback></mc:AlternateContent>)";
    p.slides.push_back({Pptx::text_shape(2, "日本語スライド", R"(<a:hlinkClick r:id="rIdProg" action="ppaction://program"/>)") +
                            Pptx::text_shape(3, "ファイル", R"(<a:hlinkClick r:id="rIdFile"/>)") +
                            Pptx::text_shape(4, "ウェブ", R"(<a:hlinkClick r:id="rIdWeb"/>)") +
                            Pptx::text_shape(5, "マクロ", R"(<a:hlinkClick r:id="" action="ppaction://macro?name=Evil"/>)") + ole_frame,
                        rel("rIdProg", "hyperlink", "calc.exe", true) + rel("rIdFile", "hyperlink", "file:///C:/Windows/System32/cmd.exe", true) +
                            rel("rIdWeb", "hyperlink", "https://www.example.lg.jp/", true) + rel("rIdOle", "oleObject", "../embeddings/oleObject1.bin") +
                            rel("rIdPrev", "image", "../media/image1.png")});
    p.presentation_rels = rel("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin");
    p.types = {{"/ppt/vbaProject.bin", "application/vnd.ms-office.vbaProject"}};
    p.parts = {{"ppt/vbaProject.bin", make_cfb({{"VBA", "Sub AutoOpen()"}})},
               {"ppt/embeddings/oleObject1.bin", make_cfb({{"\x01Ole10Native", "MZ"}})},
               {"ppt/media/image1.png", make_png(8, 8)}};
    Outcome o = sanitize(p.build(), "deck.pptm");
    REQUIRE(o.verdict == Verdict::disarmed);
    CHECK(o.outputs[0].type == "pptx");
    CHECK(o.outputs[0].name == "deck.pptx");
    for (const char* kind : {"ooxml.vba", "ooxml.action", "ooxml.link", "ooxml.ole"}) CHECK_MESSAGE(has_finding(o, kind), kind);
    Unzipped z(o.outputs[0].bytes);
    CHECK_FALSE(z.any_contains("vbaProject"));
    CHECK_FALSE(z.any_contains("embeddings"));
    CHECK(z.has("ppt/media/image1.png"));
    std::string all = z.all_xml();
    CHECK(all.find("ppaction://program") == std::string::npos);
    CHECK(all.find("ppaction://macro") == std::string::npos);
    CHECK(all.find("calc.exe") == std::string::npos);
    CHECK(all.find("cmd.exe") == std::string::npos);
    CHECK(all.find("oleObj") == std::string::npos);
    CHECK(all.find("https://www.example.lg.jp/") != std::string::npos);
    std::string slide = z.part("ppt/slides/slide1.xml");
    CHECK(slide.find("日本語スライド") != std::string::npos);
    CHECK(slide.find("ファイル") != std::string::npos);
    CHECK(slide.find("r:embed=\"rIdPrev\"") != std::string::npos);   // the preview picture took the frame's place
    CHECK(z.part("[Content_Types].xml").find("macroEnabled") == std::string::npos);
}

TEST_CASE("ooxml: HYPERLINK formulas and fields follow the links policy") {
    Xlsx x;
    x.sheets.push_back({"S", "worksheet", "",
                        R"(<sheetData><row r="1"><c r="A1" t="str"><f>HYPERLINK("https://www.example.lg.jp/","web")</f><v>web</v></c></row>)"
                        R"(<row r="2"><c r="A2" t="str"><f>HYPERLINK("file:///C:/Windows/System32/calc.exe","calc")</f><v>calc</v></c></row>)"
                        R"(<row r="3"><c r="A3" t="str"><f>HYPERLINK("\\198.51.100.7\s\x.lnk","unc")</f><v>unc</v></c></row></sheetData>)",
                        ""});
    std::string in = x.build();
    Outcome o = sanitize(in, "links.xlsx");
    REQUIRE(o.verdict == Verdict::disarmed);
    std::string sheet = Unzipped(o.outputs[0].bytes).part("xl/worksheets/sheet1.xml");
    CHECK(sheet.find("https://www.example.lg.jp/") != std::string::npos);
    CHECK(sheet.find("calc.exe") == std::string::npos);
    CHECK(sheet.find("198.51.100.7") == std::string::npos);
    CHECK(sheet.find("<v>calc</v>") != std::string::npos);   // the value stays

    Outcome dropped = sanitize(in, "links.xlsx", {{"links", "drop"}});
    REQUIRE(dropped.verdict == Verdict::disarmed);
    CHECK(Unzipped(dropped.outputs[0].bytes).part("xl/worksheets/sheet1.xml").find("HYPERLINK") == std::string::npos);

    Docx d;
    d.body = R"(<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "file:///C:/x.exe" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>local</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>)"
             R"(<w:p><w:fldSimple w:instr=" HYPERLINK &quot;https://www.example.lg.jp/&quot; "><w:r><w:t>web</w:t></w:r></w:fldSimple></w:p>)";
    Outcome w = sanitize(d.build(), "f.docx");
    REQUIRE(w.verdict == Verdict::disarmed);
    std::string doc = Unzipped(w.outputs[0].bytes).part("word/document.xml");
    CHECK(doc.find("x.exe") == std::string::npos);
    CHECK(doc.find("local") != std::string::npos);
    CHECK(doc.find("https://www.example.lg.jp/") != std::string::npos);
}
