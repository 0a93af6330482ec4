#include "clean.hpp"

#include <algorithm>
#include <vector>

#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {

std::vector<xmlNodePtr> elements(xmlNodePtr root) {
    std::vector<xmlNodePtr> out;
    std::vector<xmlNodePtr> stack{root};
    while (!stack.empty()) {
        xmlNodePtr n = stack.back();
        stack.pop_back();
        if (n->type != XML_ELEMENT_NODE) continue;
        out.push_back(n);
        std::vector<xmlNodePtr> kids;
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) kids.push_back(c);
        stack.insert(stack.end(), kids.rbegin(), kids.rend());
    }
    return out;
}

bool link_allowed(std::string_view target, bool links_https) {
    if (!links_https) return false;
    std::string t = lower(target);
    auto first = t.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return false;
    t = t.substr(first);
    for (unsigned char c : t)
        if (c < 0x20 || c == '\\') return false;
    return t.starts_with("https://") || t.starts_with("http://") || t.starts_with("mailto:");
}

namespace {

bool has_ancestor_in(xmlNodePtr n, const std::set<xmlNodePtr>& set) {
    for (xmlNodePtr p = n->parent; p; p = p->parent)
        if (set.contains(p)) return true;
    return false;
}

bool is_vml(xmlNodePtr n) {
    if (!n->ns || !n->ns->href) return false;
    std::string_view h(reinterpret_cast<const char*>(n->ns->href));
    return h.starts_with("urn:schemas-microsoft-com:");
}

// References (r:id, r:embed, r:link, r:pict, r:dm, ...) to relationships that were not kept: the
// element loses its meaning, so it goes; a hyperlink keeps its text and a picture its other image.
void drop_dangling_references(xmlNodePtr root, const PartScope& s) {
    std::vector<xmlNodePtr> all = elements(root);
    std::set<xmlNodePtr> remove, unwrap_set;
    for (xmlNodePtr n : all) {
        if (has_ancestor_in(n, remove)) continue;
        bool drop = false;
        for (xmlAttrPtr a = n->properties; a;) {
            xmlAttrPtr next = a->next;
            if (a->ns && a->ns->href && xmlStrcmp(a->ns->href, BAD_CAST ns::r) == 0) {
                xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
                std::string id = v ? reinterpret_cast<char*>(v) : "";
                xmlFree(v);
                if (!id.empty() && !s.kept_ids->contains(id)) {
                    if (is(n, ns::a, "blip")) xmlRemoveProp(a);
                    else drop = true;
                }
            }
            a = next;
        }
        if (!drop) continue;
        if (is(n, ns::w, "hyperlink")) unwrap_set.insert(n);
        else remove.insert(n);
    }
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (unwrap_set.contains(*it)) unwrap(*it);
        else if (remove.contains(*it)) remove_node(*it);
    }
}

// VML (legacy shapes) carries its own links and file paths outside the relationships.
void clean_vml_links(xmlNodePtr root, const PartScope& s) {
    for (xmlNodePtr n : elements(root)) {
        if (!is_vml(n)) continue;
        for (xmlAttrPtr a = n->properties; a;) {
            xmlAttrPtr next = a->next;
            std::string_view name(reinterpret_cast<const char*>(a->name));
            if (name == "href" || name == "althref" || name == "src") {
                xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
                std::string value = v ? reinterpret_cast<char*>(v) : "";
                xmlFree(v);
                if (name != "href" || !link_allowed(value, s.links_https)) {
                    s.tally->add(s.part, "ooxml.link", Action::removed, "VML " + std::string(name) + "=" + value,
                                 "安全でないリンクを削除しました(文字は残しています)。");
                    xmlRemoveProp(a);
                }
            }
            a = next;
        }
    }
}

// DrawingML click/hover actions: jumps inside the presentation stay; ppaction://program, macro, ole
// and anything else unknown go.
void clean_drawing_actions(xmlNodePtr root, const PartScope& s) {
    std::vector<xmlNodePtr> all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        xmlNodePtr n = *it;
        if (!(is(n, ns::a, "hlinkClick") || is(n, ns::a, "hlinkHover") || is(n, ns::a, "hlinkMouseOver"))) continue;
        std::string action = attr(n, "action");
        std::string la = lower(action);
        if (action.empty() || la.starts_with("ppaction://hlinkshowjump") || la.starts_with("ppaction://hlinksldjump") ||
            la == "ppaction://noaction" || la.starts_with("ppaction://customshow"))
            continue;
        s.tally->add(s.part, "ooxml.action", Action::removed, "action " + action,
                     "クリック時にプログラムやマクロを実行する動作を削除しました。");
        remove_node(n);
    }
}

// Lists that must not be empty once their last member went.
void prune_empty_lists(xmlNodePtr root) {
    static const std::pair<const char*, const char*> kLists[] = {
        {ns::x, "oleObjects"}, {ns::x, "controls"}, {ns::x, "externalReferences"}, {ns::x, "hyperlinks"},
        {ns::x, "pivotCaches"}, {ns::x, "definedNames"}, {ns::x, "conditionalFormatting"},
        {ns::x, "dataValidations"}, {ns::p, "controls"}, {ns::p, "custDataLst"}, {ns::p, "stSnd"},
        {ns::p, "sndAc"},
    };
    std::vector<xmlNodePtr> all = elements(root);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        xmlNodePtr n = *it;
        bool listed = false;
        for (const auto& [space, local] : kLists) listed = listed || is(n, space, local);
        if (!listed) continue;
        bool empty = true;
        for (xmlNodePtr c = n->children; c && empty; c = c->next) empty = c->type != XML_ELEMENT_NODE;
        if (empty) remove_node(n);
    }
}

}  // namespace

void clean_part(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    // Family-specific steps first: some need the references that the generic step removes (a
    // workbook renumbers sheets before removing them, a slide swaps an OLE frame for its picture).
    switch (s.family) {
    case Family::word: clean_word(doc, s); break;
    case Family::sheet: clean_sheet(doc, s); break;
    case Family::slides: clean_slides(doc, s); break;
    }
    root = xmlDocGetRootElement(doc);
    clean_drawing_actions(root, s);
    clean_vml_links(root, s);
    drop_dangling_references(root, s);
    prune_empty_lists(root);
}

}  // namespace mugaika::ooxml
