// One walker for every formula of every part, in any namespace: cell formulas (x:f, shared and
// array), defined names, conditional-format rules and their cfvo values, data validations, table
// column formulas, the x14 extensions (xm:f in x14:cfRule, x14:dataValidation, sparklines), chart
// references (c:f in Excel, Word and PowerPoint charts), drawing text links (textlink) and form
// control links (fmla*). Each is judged by formula::problem (one tokenizer that follows Excel's
// grammar); what fails goes, keeping the value that was displayed:
//   a cell loses its <f> (its cached <v> stays), together with every cell sharing the formula;
//   a rule, validation or sparkline goes whole (it means nothing without its formula);
//   a defined name, a table column formula, a text link goes;
//   a chart series keeps its cached values as literals (numRef -> numLit, strRef -> strLit).
// Drawing elements also lose any assigned macro (macro="..."): a click would run it.
// Pivot caches and external link parts never get here: their relationships are not on the allowlist.
#include <cstring>
#include "mugaika/utf8_prefix.hpp"
#include <set>
#include <string>
#include <vector>

#include "clean.hpp"
#include "formula.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

constexpr const char* kMath = "http://schemas.openxmlformats.org/officeDocument/2006/math";

constexpr const char* kFormulaJa =
    "外部のプログラムやブックを呼び出す、または許可されていない関数を使う数式を削除しました(表示されていた値は残しています)。";

bool local_is(xmlNodePtr n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

std::string_view href(xmlNodePtr n) {
    return n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href)) : std::string_view();
}

// Elements whose text is a formula, in any namespace but the two that reuse the names for something
// else (OMML m:f is a fraction, VML v:f a shape equation): an unknown namespace is judged too.
bool formula_element(xmlNodePtr n) {
    const char* name = reinterpret_cast<const char*>(n->name);
    bool candidate = std::strcmp(name, "f") == 0 || std::strcmp(name, "formula") == 0 ||
                     std::strcmp(name, "formula1") == 0 || std::strcmp(name, "formula2") == 0 ||
                     std::strcmp(name, "definedName") == 0 || std::strcmp(name, "calculatedColumnFormula") == 0 ||
                     std::strcmp(name, "totalsRowFormula") == 0;
    if (!candidate) return false;
    std::string_view h = href(n);
    return h != kMath && h != ns::vml;
}

// formula1/formula2 of x14 validations wrap an xm:f: their own text is the same formula.
bool wrapper_only(xmlNodePtr n) {
    if (!(local_is(n, "formula1") || local_is(n, "formula2") || local_is(n, "formula"))) return false;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return true;
    return false;
}

// What goes when the formula of `f` goes: the nearest rule, validation or sparkline that holds it
// (a few levels up at most), else the element itself.
xmlNodePtr removal_target(xmlNodePtr f) {
    xmlNodePtr p = f->parent;
    for (int up = 0; up < 3 && p && p->type == XML_ELEMENT_NODE; ++up, p = p->parent)
        if (local_is(p, "cfRule") || local_is(p, "dataValidation") || local_is(p, "sparkline")) return p;
    return f;
}

bool is_chart_ref(xmlNodePtr f) {
    xmlNodePtr p = f->parent;
    return local_is(f, "f") && p && p->type == XML_ELEMENT_NODE && href(p) == ns::c &&
           (local_is(p, "numRef") || local_is(p, "strRef") || local_is(p, "multiLvlStrRef"));
}

// A chart series whose reference goes keeps what it showed: numRef{f, numCache{...}} becomes
// numLit{...} (the same content model), strRef becomes strLit, or the series name its cached text.
void chart_ref_to_literal(xmlNodePtr f, std::vector<xmlNodePtr>& doomed) {
    xmlNodePtr ref = f->parent;
    xmlNodePtr holder = ref->parent;
    xmlNodePtr cache = nullptr;
    for (xmlNodePtr c = ref->children; c; c = c->next)
        if (local_is(c, "numCache") || local_is(c, "strCache") || local_is(c, "multiLvlStrCache")) cache = c;
    if (local_is(ref, "multiLvlStrRef") || !holder || holder->type != XML_ELEMENT_NODE) {
        doomed.push_back(holder && holder->type == XML_ELEMENT_NODE && holder->parent ? holder : ref);
        return;
    }
    if (local_is(holder, "tx")) {   // a series or title name: CT_SerTx allows a plain c:v
        std::string text;
        if (cache)
            for (xmlNodePtr pt = cache->children; pt && text.empty(); pt = pt->next)
                if (local_is(pt, "pt"))
                    for (xmlNodePtr v = pt->children; v; v = v->next)
                        if (local_is(v, "v")) text = text_of(v);
        if (local_is(holder->parent, "ser")) {
            xmlNodePtr v = xmlNewDocNode(ref->doc, ref->ns, BAD_CAST "v", nullptr);
            xmlNodeAddContent(v, BAD_CAST text.c_str());
            xmlAddPrevSibling(ref, v);
            doomed.push_back(ref);
        } else {
            doomed.push_back(holder);   // a title falls back to its automatic text
        }
        return;
    }
    xmlNodeSetName(ref, BAD_CAST(local_is(ref, "numRef") ? "numLit" : "strLit"));
    doomed.push_back(f);
    if (cache) {
        for (xmlNodePtr c = cache->children; c;) {
            xmlNodePtr next = c->next;
            xmlUnlinkNode(c);
            xmlAddPrevSibling(cache, c);
            c = next;
        }
        doomed.push_back(cache);
    }
}

void finding(const PartScope& s, std::string_view kind, const std::string& problem) {
    s.tally->add(s.part, kind, Action::removed, problem, kind == "ooxml.defined_name"
                                                             ? "危険な数式を含む名前定義を削除しました。"
                                                             : kFormulaJa);
}

}  // namespace

void clean_formulas(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    std::vector<xmlNodePtr> all = elements(root);
    const bool external_links = s.links_https;

    // Shared formulas: the master carries the text, the cells that share it only its index. When the
    // master goes, they go too, wherever they are in the sheet.
    std::set<std::string> bad_shared;
    std::size_t step = 0;
    for (xmlNodePtr n : all) {
        tick(s, ++step);
        if (local_is(n, "f") && formula_element(n) && attr(n, "t") == "shared") {
            std::string text = text_of(n);
            if (!text.empty() && !formula::problem(text, external_links).empty()) bad_shared.insert(attr(n, "si"));
        }
    }

    std::set<xmlNodePtr> doomed_set;   // freed at the end, deepest first
    auto doom = [&](xmlNodePtr n) { doomed_set.insert(n); };
    for (xmlNodePtr n : all) {
        tick(s, ++step);
        // Attributes first: text links and form-control links are formulas, assigned macros go.
        for (xmlAttrPtr a = n->properties; a;) {
            xmlAttrPtr next = a->next;
            const char* an = reinterpret_cast<const char*>(a->name);
            bool link = std::strcmp(an, "textlink") == 0 || std::strncmp(an, "fmla", 4) == 0;
            bool value = std::strcmp(an, "val") == 0 && local_is(n, "cfvo");
            if (std::strcmp(an, "macro") == 0) {
                std::string m = attr(n, "macro");
                if (!m.empty() && !is(n, ns::x, "definedName")) {
                    s.tally->add(s.part, "ooxml.macro", Action::removed, "macro assigned to a shape: " + std::string(utf8_prefix(m, 200)),
                                 "図形などに割り当てられたマクロの指定を削除しました。");
                    xmlRemoveProp(a);
                }
            } else if (link || value) {
                xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
                std::string f = v ? reinterpret_cast<char*>(v) : "";
                xmlFree(v);
                std::string problem = f.empty() ? std::string() : formula::problem(f, external_links);
                if (!problem.empty()) {
                    finding(s, "ooxml.formula", problem);
                    if (value) doom(removal_target(n));   // a cfvo without its value breaks its rule
                    else xmlRemoveProp(a);
                }
            }
            a = next;
        }
        if (!formula_element(n) || wrapper_only(n)) continue;
        std::string text = text_of(n);
        std::string problem = formula::problem(text, external_links);
        if (problem.empty() && local_is(n, "f") && attr(n, "t") == "shared" && bad_shared.contains(attr(n, "si")))
            problem = "shares a removed formula";
        if (problem.empty()) continue;
        if (local_is(n, "definedName")) {
            finding(s, "ooxml.defined_name", "name " + attr(n, "name") + ": " + problem);
            doom(n);
        } else if (is_chart_ref(n)) {
            finding(s, "ooxml.formula", problem);
            std::vector<xmlNodePtr> gone;
            chart_ref_to_literal(n, gone);
            for (xmlNodePtr g : gone) doom(g);
        } else {
            finding(s, "ooxml.formula", problem);
            doom(removal_target(n));
        }
    }
    // Deepest first (reverse document order): a doomed node inside a doomed ancestor is freed before
    // it, never after. Every doomed node is in the snapshot (nothing made during the walk is doomed).
    std::vector<xmlNodePtr> order;
    if (doomed_set.empty()) return;
    order.reserve(doomed_set.size());
    for (xmlNodePtr n : all)
        if (doomed_set.contains(n)) order.push_back(n);
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (*it != root) remove_node(*it);
}

}  // namespace mugaika::ooxml
