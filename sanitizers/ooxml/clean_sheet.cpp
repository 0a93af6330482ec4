// SpreadsheetML: XLM macro sheets and their Auto_Open names, OLE and ActiveX lists, external
// references and query-table bindings. Formulas, wherever they are, are judged by clean_formulas.cpp.
#include <array>
#include <iterator>
#include <map>
#include <vector>

#include "clean.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

constexpr std::array<std::string_view, 4> kAutoNames{"auto_open", "auto_close", "auto_activate", "auto_deactivate"};

// Workbook: sheets whose relationship was dropped (macro sheets, dialog sheets) go, and every index
// that counted them (localSheetId, activeTab, firstSheet) is renumbered.
void clean_workbook(xmlNodePtr root, const PartScope& s) {
    std::map<long, long> new_index;   // old sheet index -> new, absent when removed
    long old_i = 0, new_i = 0;
    for (xmlNodePtr sheets = root->children; sheets; sheets = sheets->next) {
        if (!is(sheets, ns::x, "sheets")) continue;
        for (xmlNodePtr sh = sheets->children; sh;) {
            xmlNodePtr next = sh->next;
            if (is(sh, ns::x, "sheet")) {
                std::string id = attr(sh, "id", ns::r);
                if (id.empty() || s.rels->internal.contains(id)) {
                    new_index[old_i] = new_i++;
                } else {
                    s.tally->add(s.part, "ooxml.sheet", Action::removed, "sheet " + attr(sh, "name"),
                                 "マクロシートなど、許可されていないシートを削除しました。");
                    remove_node(sh);
                }
                ++old_i;
            }
            sh = next;
        }
    }
    if (new_i == 0 && old_i > 0) throw SanitizeError(reason::malformed, "no worksheet left after removing macro sheets");

    for (xmlNodePtr n : elements(root)) {
        if (is(n, ns::x, "workbookView")) {
            for (const char* a : {"activeTab", "firstSheet"}) {
                std::string v = attr(n, a);
                if (v.empty()) continue;
                long idx = std::strtol(v.c_str(), nullptr, 10);
                auto after = new_index.upper_bound(idx);   // the last kept sheet at or before idx
                long mapped = after == new_index.begin() ? 0 : std::prev(after)->second;
                xmlSetProp(n, BAD_CAST a, BAD_CAST std::to_string(mapped).c_str());
            }
        }
    }

    std::vector<xmlNodePtr> all = elements(root);
    std::size_t step = 0;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        tick(s, ++step);
        xmlNodePtr n = *it;
        if (is(n, ns::x, "definedName")) {
            std::string name = lower(attr(n, "name"));
            std::string problem;
            // "Excel_BuiltIn_Auto_Open" is how LibreOffice carries a binary workbook's built-in Auto_Open
            // name into the OOXML it writes (legacy conversion): the same name, another spelling.
            for (auto a : kAutoNames)
                if (name.starts_with(a) || name.starts_with("_xlnm." + std::string(a)) ||
                    name.starts_with("excel_builtin_" + std::string(a)))
                    problem = "auto-run name " + attr(n, "name");
            for (const char* flag : {"function", "vbProcedure", "xlm"})
                if (std::string v = attr(n, flag); v == "1" || v == "true") problem = "macro name " + attr(n, "name");
            std::string local = attr(n, "localSheetId");
            if (problem.empty() && !local.empty()) {
                auto found = new_index.find(std::strtol(local.c_str(), nullptr, 10));
                if (found == new_index.end()) problem = "name local to a removed sheet: " + attr(n, "name");
                else xmlSetProp(n, BAD_CAST "localSheetId", BAD_CAST std::to_string(found->second).c_str());
            }
            if (!problem.empty()) {
                s.tally->add(s.part, "ooxml.defined_name", Action::removed, problem,
                             "自動実行(Auto_Open など)やマクロに関わる名前定義を削除しました。");
                remove_node(n);
            }
        } else if (is(n, ns::x, "externalReferences") || is(n, ns::x, "webPublishObjects")) {
            s.tally->add(s.part, "ooxml.external_link", Action::removed, reinterpret_cast<const char*>(n->name),
                         "外部ブックへのリンクを削除しました。");
            remove_node(n);
        }
    }
}

void clean_worksheet(xmlNodePtr root, const PartScope& s) {
    std::vector<xmlNodePtr> all = elements(root);
    std::size_t step = 0;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        tick(s, ++step);
        xmlNodePtr n = *it;
        if (is(n, ns::x, "oleObjects")) {
            s.tally->add(s.part, "ooxml.ole", Action::removed, "oleObjects",
                         "埋め込みオブジェクト(OLE)を削除しました(表示用の画像は残しています)。");
            remove_node(n);
        } else if (is(n, ns::x, "controls")) {
            s.tally->add(s.part, "ooxml.activex", Action::removed, "controls", "ActiveXコントロールを削除しました。");
            remove_node(n);
        }
    }
}

// A table bound to a query keeps its data but loses the binding to the dropped connection.
void clean_table(xmlNodePtr root, const PartScope& s) {
    bool changed = false;
    std::size_t step = 0;
    for (xmlNodePtr n : elements(root)) {
        tick(s, ++step);
        for (const char* a : {"connectionId", "queryTableFieldId"}) {
            if (xmlAttrPtr p = xmlHasProp(n, BAD_CAST a)) {
                xmlRemoveProp(p);
                changed = true;
            }
        }
    }
    std::string type = attr(root, "tableType");
    if (type == "queryTable" || type == "xml") {
        xmlUnsetProp(root, BAD_CAST "tableType");
        changed = true;
    }
    if (changed)
        s.tally->add(s.part, "ooxml.query_table", Action::removed, "table bound to an external query",
                     "外部データのクエリを削除しました。");
}

}  // namespace

void clean_sheet(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (is(root, ns::x, "workbook")) clean_workbook(root, s);
    else if (is(root, ns::x, "worksheet")) clean_worksheet(root, s);
    else if (is(root, ns::x, "table")) clean_table(root, s);
}

}  // namespace mugaika::ooxml
