// Markup Compatibility (ECMA-376 Part 3): every mc:AlternateContent is resolved before anything is
// judged, so that no reader ever sees a branch we did not judge. One branch is kept, unwrapped into
// the parent, the others are dropped: the first mc:Choice whose Requires namespaces are all on the
// list below (namespaces whose elements our cleaning covers, and which Word, Excel, PowerPoint and
// LibreOffice all read), otherwise the mc:Fallback, otherwise nothing. That is the branch a consumer
// that understands exactly those namespaces takes, so Word and we agree on what the document is.
#include <array>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "clean.hpp"
#include "mugaika/reasons.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

constexpr const char* kMc = "http://schemas.openxmlformats.org/markup-compatibility/2006";

// Drawing and text extensions of Office 2010-2016: shapes, groups, canvases, text boxes, effects,
// chart and sheet additions. Their content is made of elements our generic rules already judge
// (relationship references, hyperlinks, fields, formulas); none of them carries code or a source of
// external data of its own.
constexpr std::array<std::string_view, 20> kUnderstood{
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    "http://schemas.microsoft.com/office/word/2010/wordml",
    "http://schemas.microsoft.com/office/word/2012/wordml",
    "http://schemas.microsoft.com/office/drawing/2010/main",
    "http://schemas.microsoft.com/office/drawing/2010/diagram",
    "http://schemas.microsoft.com/office/drawing/2007/8/2/chart",
    "http://schemas.microsoft.com/office/drawing/2012/chart",
    "http://schemas.microsoft.com/office/drawing/2014/main",
    "http://schemas.microsoft.com/office/powerpoint/2010/main",
    "http://schemas.microsoft.com/office/powerpoint/2012/main",
    "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
    "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac",
    "http://schemas.microsoft.com/office/excel/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
};

bool in_mc(xmlNodePtr n, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(n->ns->href), kMc) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

bool understood(xmlNodePtr choice) {
    std::string requires_ = attr(choice, "Requires");
    std::size_t start = 0, count = 0;
    while (start < requires_.size()) {
        std::size_t end = requires_.find_first_of(" \t\r\n", start);
        if (end == std::string::npos) end = requires_.size();
        if (end > start) {
            std::string prefix = requires_.substr(start, end - start);
            xmlNsPtr ns = xmlSearchNs(choice->doc, choice, BAD_CAST prefix.c_str());
            if (!ns || !ns->href) return false;
            std::string_view href(reinterpret_cast<const char*>(ns->href));
            bool known = false;
            for (auto u : kUnderstood) known = known || u == href;
            if (!known) return false;
            ++count;
        }
        start = end + 1;
    }
    return count > 0;   // a Choice that requires nothing is malformed: not taken
}

xmlNodePtr chosen_branch(xmlNodePtr alternate) {
    xmlNodePtr fallback = nullptr;
    for (xmlNodePtr c = alternate->children; c; c = c->next) {
        if (in_mc(c, "Choice") && understood(c)) return c;
        if (in_mc(c, "Fallback") && !fallback) fallback = c;
    }
    return fallback;
}

// `c` moved out of an unwrapped element to beside it, under `parent`. Nodes of its subtree that took
// their namespace from a declaration on the unwrapped elements (`gone`) get the same namespace from a
// declaration that lives on: the one in scope at `parent` when it binds the same prefix to the same
// name, otherwise a new one on `c` itself (it cannot clash there: a prefix `c` declares already hides
// the unwrapped one from its whole subtree). Only the moved subtree is walked, so the cost is linear
// (times the nesting of alternate content, bounded by libxml2's depth limit); xmlReconciliateNs,
// which walks the whole document with a linear cache, is quadratic on many declarations.
void redeclare(xmlNodePtr c, xmlNodePtr parent, const std::unordered_set<xmlNsPtr>& gone, const PartScope& s) {
    std::vector<std::pair<xmlNsPtr, xmlNsPtr>> map;
    auto replacement = [&](xmlNsPtr old) {
        for (auto& [o, r] : map)
            if (o == old) return r;
        xmlNsPtr in_scope = xmlSearchNs(c->doc, parent, old->prefix);
        xmlNsPtr r = in_scope && xmlStrEqual(in_scope->href, old->href) ? in_scope : xmlNewNs(c, old->href, old->prefix);
        if (!r) throw SanitizeError(reason::internal, s.part + ": a namespace could not be declared again");
        map.push_back({old, r});
        return r;
    };
    std::vector<xmlNodePtr> stack{c};
    while (!stack.empty()) {
        xmlNodePtr n = stack.back();
        stack.pop_back();
        if (n->type != XML_ELEMENT_NODE) continue;
        if (n->ns && gone.contains(n->ns)) n->ns = replacement(n->ns);
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            if (a->ns && gone.contains(a->ns)) a->ns = replacement(a->ns);
        for (xmlNodePtr k = n->children; k; k = k->next) stack.push_back(k);
    }
}

}  // namespace

std::size_t resolve_markup_compatibility(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    std::vector<xmlNodePtr> all = elements(root);
    // Unwrapped elements are freed once the walk is over (the snapshot still points into them); every
    // node moved out of them was given namespace declarations that live on (redeclare).
    struct Garbage {
        std::vector<xmlNodePtr> nodes;
        ~Garbage() {
            for (xmlNodePtr g : nodes) xmlFreeNode(g);
        }
    } garbage_owner;
    std::vector<xmlNodePtr>& garbage = garbage_owner.nodes;
    std::size_t resolved = 0, stray = 0, step = 0;
    for (xmlNodePtr n : all) {
        tick(s, ++step);
        bool alternate = in_mc(n, "AlternateContent");
        if (!alternate && !in_mc(n, "Choice") && !in_mc(n, "Fallback")) continue;
        if (n == root) throw SanitizeError(reason::malformed, s.part + " has a markup-compatibility element as its root");
        if (!attached(n, root)) continue;   // inside a branch already dropped
        if (!alternate) {   // a Choice or Fallback outside any AlternateContent: meaningless, dropped
            xmlUnlinkNode(n);
            garbage.push_back(n);
            ++stray;
            continue;
        }
        if (xmlNodePtr branch = chosen_branch(n)) {
            std::unordered_set<xmlNsPtr> gone;
            for (xmlNodePtr w : {n, branch})
                for (xmlNsPtr d = w->nsDef; d; d = d->next) gone.insert(d);
            xmlNodePtr parent = n->parent;
            for (xmlNodePtr c = branch->children; c;) {
                xmlNodePtr next = c->next;
                xmlUnlinkNode(c);
                bool element = c->type == XML_ELEMENT_NODE;
                xmlAddPrevSibling(n, c);   // may merge (and free) a text node: only elements are used after
                if (element && !gone.empty()) redeclare(c, parent, gone, s);
                c = next;
            }
        }
        xmlUnlinkNode(n);
        garbage.push_back(n);
        ++resolved;
    }
    if (garbage.empty()) return 0;
    if (resolved)
        s.tally->add(s.part, "ooxml.markup_compat", Action::noted,
                     std::to_string(resolved) + " mc:AlternateContent resolved to one branch",
                     "互換性のための代替表現(mc:AlternateContent)を一つに決め、使われない方を除きました。");
    if (stray)
        s.tally->add(s.part, "ooxml.markup_compat.stray", Action::removed,
                     std::to_string(stray) + " mc:Choice/mc:Fallback outside mc:AlternateContent",
                     "どこにも属さない代替表現(mc:Choice/mc:Fallback)を削除しました。");
    return resolved;
}

}  // namespace mugaika::ooxml
