#include "clean.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "opc.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {

namespace {
xmlNodePtr first_element_child(xmlNodePtr p) {
    for (xmlNodePtr c = p->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return c;
    return nullptr;
}
xmlNodePtr next_element_sibling(xmlNodePtr p) {
    for (xmlNodePtr c = p->next; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return c;
    return nullptr;
}
}  // namespace

bool attached(xmlNodePtr n, xmlNodePtr root) {
    while (n && n != root) n = n->parent;
    return n == root;
}

std::vector<xmlNodePtr> elements(xmlNodePtr root) {
    std::vector<xmlNodePtr> out;
    if (!root || root->type != XML_ELEMENT_NODE) return out;
    out.reserve(1024);
    xmlNodePtr n = root;
    for (;;) {
        out.push_back(n);
        if (xmlNodePtr c = first_element_child(n)) {
            n = c;
            continue;
        }
        for (;;) {
            if (n == root) return out;
            if (xmlNodePtr s = next_element_sibling(n)) {
                n = s;
                break;
            }
            n = n->parent;
        }
    }
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

bool is_vml(xmlNodePtr n) {
    if (!n->ns || !n->ns->href) return false;
    std::string_view h(reinterpret_cast<const char*>(n->ns->href));
    return h.starts_with("urn:schemas-microsoft-com:");
}

std::string_view href_of(xmlAttrPtr a) {
    return a->ns && a->ns->href ? std::string_view(reinterpret_cast<const char*>(a->ns->href)) : std::string_view();
}

// Attributes that name a relationship of the part whatever else they say: anything in a
// relationships namespace (transitional, Strict, Microsoft's), and VML's o:relid in any spelling.
bool is_reference_attr(xmlAttrPtr a) {
    std::string_view h = href_of(a);
    if (h == ns::r || h == "http://purl.oclc.org/ooxml/officeDocument/relationships" ||
        h == "http://schemas.microsoft.com/office/2006/relationships")
        return true;
    return xmlStrcasecmp(a->name, BAD_CAST "relid") == 0;
}

std::string attr_value(xmlNodePtr n, xmlAttrPtr a) {
    // The usual case, one text child, without libxml2's allocation.
    if (a->children && !a->children->next && a->children->type == XML_TEXT_NODE && a->children->content)
        return reinterpret_cast<const char*>(a->children->content);
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    std::string s = v ? reinterpret_cast<char*>(v) : "";
    xmlFree(v);
    return s;
}

// The elements that may point at an external relationship: hyperlinks. Anything else that names
// one (a picture, an OLE object, a template, a frame) would make the reader fetch it.
bool is_hyperlink_element(xmlNodePtr n) {
    return is(n, ns::w, "hyperlink") || is(n, ns::a, "hlinkClick") || is(n, ns::a, "hlinkHover") ||
           is(n, ns::a, "hlinkMouseOver") || is(n, ns::x, "hyperlink");
}

// Elements that stay when a reference of theirs goes (the attribute alone goes): a picture keeps its
// embedded image when its link goes, page setup its orientation without the printer settings.
bool keeps_itself(xmlNodePtr n, xmlNodePtr root) {
    return n == root || is(n, ns::a, "blip") || is(n, ns::x, "pageSetup") || is(n, ns::c, "pageSetup");
}

// VML (legacy shapes) carries its own links and file paths outside the relationships.
void clean_vml_links(xmlNodePtr n, const PartScope& s) {
    for (xmlAttrPtr a = n->properties; a;) {
        xmlAttrPtr next = a->next;
        std::string_view name(reinterpret_cast<const char*>(a->name));
        if (name == "href" || name == "althref" || name == "src") {
            std::string value = attr_value(n, a);
            if (name != "href" || !link_allowed(value, s.links_https)) {
                s.tally->add(s.part, "ooxml.link", Action::removed, "VML " + std::string(name) + "=" + value,
                             "安全でないリンクを削除しました(文字は残しています)。");
                xmlRemoveProp(a);
            }
        }
        a = next;
    }
}

// DrawingML click/hover actions: jumps inside the presentation stay; ppaction://program, macro, ole
// and anything else unknown go.
bool unsafe_action(xmlNodePtr n, const PartScope& s) {
    if (!(is(n, ns::a, "hlinkClick") || is(n, ns::a, "hlinkHover") || is(n, ns::a, "hlinkMouseOver"))) return false;
    std::string action = attr(n, "action");
    std::string la = lower(action);
    if (action.empty() || la.starts_with("ppaction://hlinkshowjump") || la.starts_with("ppaction://hlinksldjump") ||
        la == "ppaction://noaction" || la.starts_with("ppaction://customshow"))
        return false;
    s.tally->add(s.part, "ooxml.action", Action::removed, "action " + action,
                 "クリック時にプログラムやマクロを実行する動作を削除しました。");
    return true;
}

void dangling(const PartScope& s, xmlNodePtr n, const std::string& id, const char* why) {
    s.tally->add(s.part, "ooxml.dangling", Action::removed,
                 std::string(reinterpret_cast<const char*>(n->name)) + " -> " + id + " (" + why + ")",
                 "削除した部品や外部への参照を、文書の中からも取り除きました。");
}

// One walk for what applies to every part: unsafe click actions, VML links, and every reference to a
// relationship: it must name one the writer keeps, and an external one only from a hyperlink. An
// element whose reference goes loses its meaning, so it goes too (a hyperlink keeps its text, a
// picture its embedded image). Any other attribute whose value is an id the input declared for this
// part but the writer does not keep is removed as well, whatever its namespace.
// Removal runs backwards over the snapshot, so a descendant is always freed before its ancestor.
bool clean_generic(xmlNodePtr root, const PartScope& s) {
    std::vector<xmlNodePtr> all = elements(root);
    std::vector<std::pair<xmlNodePtr, bool>> doomed;   // node, unwrap (true) or remove
    std::size_t step = 0;
    for (xmlNodePtr n : all) {
        tick(s, ++step);
        if (unsafe_action(n, s)) {
            doomed.push_back({n, false});
            continue;
        }
        if (is_vml(n)) clean_vml_links(n, s);
        bool drop = false;
        for (xmlAttrPtr a = n->properties; a;) {
            xmlAttrPtr next = a->next;
            const bool reference = is_reference_attr(a);
            std::string id = a->children && (reference || !s.rels->input.empty()) ? attr_value(n, a) : std::string();
            if (reference) {
                const char* why = nullptr;
                if (!id.empty() && !s.rels->contains(id)) why = "relationship not kept";
                else if (s.rels->external.contains(id) && !is_hyperlink_element(n)) why = "external link used by a non-hyperlink";
                if (why) {
                    dangling(s, n, id, why);
                    if (keeps_itself(n, root)) xmlRemoveProp(a);
                    else drop = true;
                }
            } else if (!id.empty() && s.rels->input.contains(id) &&
                       (!s.rels->contains(id) || (s.rels->external.contains(id) && !is_hyperlink_element(n)))) {
                dangling(s, n, id, "attribute naming a relationship that was not kept");
                xmlRemoveProp(a);
            }
            a = next;
        }
        if (drop) doomed.push_back({n, is(n, ns::w, "hyperlink")});
    }
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
        if (it->second) unwrap(it->first);
        else remove_node(it->first);
    }
    return !doomed.empty();
}

constexpr const char* kX14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main";

// Lists that must not be empty once their last member went.
void prune_empty_lists(xmlNodePtr root, const PartScope& s) {
    static const std::pair<const char*, const char*> kLists[] = {
        {ns::x, "oleObjects"}, {ns::x, "controls"}, {ns::x, "externalReferences"}, {ns::x, "hyperlinks"},
        {ns::x, "pivotCaches"}, {ns::x, "definedNames"}, {ns::x, "conditionalFormatting"},
        {ns::x, "dataValidations"}, {ns::p, "controls"}, {ns::p, "custDataLst"}, {ns::p, "stSnd"},
        {ns::p, "sndAc"}, {kX14, "conditionalFormatting"}, {kX14, "conditionalFormattings"},
        {kX14, "dataValidations"}, {kX14, "sparklines"}, {kX14, "sparklineGroup"}, {kX14, "sparklineGroups"},
    };
    std::vector<xmlNodePtr> all = elements(root);
    std::size_t step = 0;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        tick(s, ++step);
        xmlNodePtr n = *it;
        if (!n->ns || !n->ns->href || (std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns::x) != 0 &&
                                       std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns::p) != 0 &&
                                       std::strcmp(reinterpret_cast<const char*>(n->ns->href), kX14) != 0))
            continue;
        bool listed = false;
        for (const auto& [space, local] : kLists) listed = listed || is(n, space, local);
        if (!listed || n == root) continue;
        bool empty = true;
        for (xmlNodePtr c = n->children; c && empty; c = c->next) empty = c->type != XML_ELEMENT_NODE;
        if (empty) remove_node(n);
    }
}

}  // namespace

void clean_part(xmlDocPtr doc, const PartScope& s) {
    std::size_t findings_before = s.tally->total();
    // First of all, so that every later step judges the one branch a reader will see.
    resolve_markup_compatibility(doc, s);
    // Family-specific steps next: some need the references that the generic step removes (a
    // workbook renumbers sheets before removing them, a slide swaps an OLE frame for its picture).
    switch (s.family) {
    case Family::word: clean_word(doc, s); break;
    case Family::sheet: clean_sheet(doc, s); break;
    case Family::slides: clean_slides(doc, s); break;
    }
    clean_properties(doc, s);
    clean_formulas(doc, s);   // every family: charts in Word and PowerPoint carry formulas too
    xmlNodePtr root = xmlDocGetRootElement(doc);
    bool removed = clean_generic(root, s);
    if (removed || s.tally->total() != findings_before) prune_empty_lists(root, s);
}

}  // namespace mugaika::ooxml
