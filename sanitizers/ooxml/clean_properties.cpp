// Document properties (docProps/custom.xml, docProps/app.xml), which DOCPROPERTY fields and the
// properties dialog show. Custom properties stay only as plain values (text, numbers, dates, yes/no:
// municipalities mark 機密性 there); blobs, streams, storages, clipboard data and vectors go. From the
// extended properties go the hyperlink base (a relative link would resolve against it, a UNC path
// included), the hyperlink list Office caches there, and the signature blob.
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "clean.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

constexpr const char* kCustom = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties";
constexpr const char* kExtended = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties";
constexpr const char* kVt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes";

constexpr std::array<std::string_view, 21> kPlainValues{
    "lpwstr", "lpstr", "bstr", "i1", "i2", "i4", "i8", "int", "ui1", "ui2", "ui4", "ui8", "uint",
    "r4", "r8", "decimal", "bool", "filetime", "date", "cy", "error",
};

bool plain_value(xmlNodePtr v) {
    if (!v->ns || !v->ns->href || std::strcmp(reinterpret_cast<const char*>(v->ns->href), kVt) != 0) return false;
    std::string_view name(reinterpret_cast<const char*>(v->name));
    for (auto p : kPlainValues)
        if (p == name) {
            for (xmlNodePtr c = v->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE) return false;
            return true;
        }
    return false;
}

void clean_custom(xmlNodePtr root, const PartScope& s) {
    std::size_t step = 0;
    for (xmlNodePtr p = root->children; p;) {
        tick(s, ++step);
        xmlNodePtr next = p->next;
        if (p->type == XML_ELEMENT_NODE) {
            std::size_t values = 0, plain = 0;
            for (xmlNodePtr v = p->children; v; v = v->next)
                if (v->type == XML_ELEMENT_NODE) {
                    ++values;
                    plain += plain_value(v);
                }
            if (!is(p, kCustom, "property") || values != 1 || plain != 1) {
                s.tally->add(s.part, "ooxml.metadata", Action::removed,
                             "custom property " + attr(p, "name") + " that is not a plain value",
                             "文字や数値ではない文書のプロパティ(埋め込みデータなど)を削除しました。");
                remove_node(p);
            }
        }
        p = next;
    }
}

void clean_extended(xmlNodePtr root, const PartScope& s) {
    for (xmlNodePtr p = root->children; p;) {
        xmlNodePtr next = p->next;
        if (is(p, kExtended, "HyperlinkBase") || is(p, kExtended, "HLinks") || is(p, kExtended, "DigSig")) {
            s.tally->add(s.part, "ooxml.metadata", Action::removed, reinterpret_cast<const char*>(p->name),
                         "文書のプロパティにあるリンクの基準位置やリンク一覧を削除しました。");
            remove_node(p);
        }
        p = next;
    }
}

}  // namespace

void clean_properties(xmlDocPtr doc, const PartScope& s) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (is(root, kCustom, "Properties")) clean_custom(root, s);
    else if (is(root, kExtended, "Properties")) clean_extended(root, s);
}

}  // namespace mugaika::ooxml
