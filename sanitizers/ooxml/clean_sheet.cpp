// SpreadsheetML: XLM macro sheets and their Auto_Open names, DDE and external-workbook formulas,
// code-running functions, OLE and ActiveX lists, external references and query-table bindings.
#include <array>
#include <cctype>
#include <set>
#include <map>
#include <vector>

#include "clean.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

constexpr std::array<std::string_view, 9> kCodeFunctions{
    "CALL", "REGISTER", "REGISTER.ID", "EXEC", "RTD", "WEBSERVICE", "IMAGE", "FILTERXML", "EXECUTE",
};

constexpr std::array<std::string_view, 4> kAutoNames{"auto_open", "auto_close", "auto_activate", "auto_deactivate"};

void add_formula_finding(const PartScope& s, const std::string& problem) {
    s.tally->add(s.part, "ooxml.formula", Action::removed, problem,
                 "外部のプログラムやブックを呼び出す数式(DDEなど)を削除しました(表示されていた値は残しています)。");
}

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
                if (id.empty() || s.kept_ids->contains(id)) {
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
                long mapped = 0;
                for (auto& [o, nw] : new_index)
                    if (o <= idx) mapped = nw;
                xmlSetProp(n, BAD_CAST a, BAD_CAST std::to_string(mapped).c_str());
            }
        }
    }

    std::vector<xmlNodePtr> all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        xmlNodePtr n = *it;
        if (is(n, ns::x, "definedName")) {
            std::string name = lower(attr(n, "name"));
            std::string problem;
            for (auto a : kAutoNames)
                if (name.starts_with(a) || name.starts_with("_xlnm." + std::string(a))) problem = "auto-run name " + attr(n, "name");
            if (attr(n, "function") == "1" || attr(n, "vbProcedure") == "1" || attr(n, "xlm") == "1")
                problem = "macro name " + attr(n, "name");
            if (problem.empty()) problem = formula_problem(text_of(n), s.links_https);
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
    // Shared formulas: when the master goes, every cell that shares it goes too.
    std::set<std::string> bad_shared;
    for (xmlNodePtr n : all)
        if (is(n, ns::x, "f") && attr(n, "t") == "shared" && !text_of(n).empty() &&
            !formula_problem(text_of(n), s.links_https).empty())
            bad_shared.insert(attr(n, "si"));
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        xmlNodePtr n = *it;
        if (is(n, ns::x, "f")) {
            std::string f = text_of(n);
            std::string problem = formula_problem(f, s.links_https);
            if (problem.empty() && attr(n, "t") == "shared" && bad_shared.contains(attr(n, "si")))
                problem = "shares a removed formula";
            if (!problem.empty()) {   // the cached value in <v> stays
                add_formula_finding(s, problem);
                remove_node(n);
            }
        } else if (is(n, ns::x, "formula") || is(n, ns::x, "formula1") || is(n, ns::x, "formula2")) {
            std::string problem = formula_problem(text_of(n), s.links_https);
            if (!problem.empty() && n->parent && n->parent->type == XML_ELEMENT_NODE) {
                add_formula_finding(s, problem);
                // A rule or validation without its formula is invalid: the whole rule goes. The
                // parent is processed later (reverse order), so mark it by name instead of freeing it.
                xmlSetProp(n->parent, BAD_CAST "mugaikaDrop", BAD_CAST "1");
            }
        } else if (xmlHasProp(n, BAD_CAST "mugaikaDrop")) {
            remove_node(n);
        } else if (is(n, ns::x, "oleObjects")) {
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
    std::vector<xmlNodePtr> all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {   // column formulas run like cell formulas
        if (!is(*it, ns::x, "calculatedColumnFormula") && !is(*it, ns::x, "totalsRowFormula")) continue;
        std::string problem = formula_problem(text_of(*it), s.links_https);
        if (!problem.empty()) {
            add_formula_finding(s, problem);
            remove_node(*it);
        }
    }
    for (xmlNodePtr n : elements(root)) {
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

std::string formula_problem(std::string_view f, bool links_https) {
    bool in_string = false;
    std::vector<std::string> literals;
    std::string token;
    bool saw_hyperlink = false;
    for (std::size_t i = 0; i < f.size(); ++i) {
        char c = f[i];
        if (c == '"') {
            if (!in_string) literals.emplace_back();
            in_string = !in_string;
            continue;
        }
        if (in_string) {
            literals.back() += c;
            continue;
        }
        if (c == '|') return "DDE formula: " + std::string(f.substr(0, 200));
        if (c == '[' && i + 1 < f.size() && std::isdigit(static_cast<unsigned char>(f[i + 1]))) {
            std::size_t j = i + 1;
            while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j]))) ++j;
            if (j < f.size() && f[j] == ']') return "external workbook reference: " + std::string(f.substr(0, 200));
        }
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_') {
            token += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            continue;
        }
        if (c == '(' && !token.empty()) {
            std::string name = token;
            for (std::string_view prefix : {"_XLFN.", "_XLWS."})
                if (name.starts_with(prefix)) name = name.substr(prefix.size());
            for (auto bad : kCodeFunctions)
                if (name == bad) return "function " + name + ": " + std::string(f.substr(0, 200));
            if (name == "HYPERLINK") saw_hyperlink = true;
        }
        token.clear();
    }
    if (saw_hyperlink) {
        if (!links_https) return "HYPERLINK function (links dropped)";
        for (const auto& lit : literals)
            if ((lit.find(':') != std::string::npos || lit.starts_with("\\\\")) && !link_allowed(lit, true))
                return "HYPERLINK to a disallowed target: " + lit.substr(0, 200);
    }
    return {};
}

void clean_sheet(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (is(root, ns::x, "workbook")) clean_workbook(root, s);
    else if (is(root, ns::x, "worksheet")) clean_worksheet(root, s);
    else if (is(root, ns::x, "table")) clean_table(root, s);
}

}  // namespace mugaika::ooxml
