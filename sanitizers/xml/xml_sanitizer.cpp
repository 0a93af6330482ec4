#include "xml_sanitizer.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "mugaika/reasons.hpp"

namespace mugaika {
namespace {

struct DocFree {
    void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};

bool xinclude(xmlNodePtr n) {
    if (n->type != XML_ELEMENT_NODE || !n->ns || !n->ns->href) return false;
    auto href = reinterpret_cast<const char*>(n->ns->href);
    return std::string_view(href) == "http://www.w3.org/2001/XInclude" ||
           std::string_view(href) == "http://www.w3.org/2003/XInclude";
}

struct Counts {
    std::size_t doctype = 0, entities = 0, pis = 0, xincludes = 0;
};

// Removes, below `n`, every node that would make a reader look elsewhere. Depth is bounded by
// libxml2's own limit (256 without XML_PARSE_HUGE).
void strip(xmlNodePtr n, Counts& c, Context& ctx, std::size_t& visited) {
    for (xmlNodePtr child = n->children; child;) {
        xmlNodePtr next = child->next;
        if (++visited % 65536 == 0) ctx.check_time();
        bool drop = false;
        switch (child->type) {
        case XML_DTD_NODE: ++c.doctype; drop = true; break;
        case XML_ENTITY_REF_NODE: ++c.entities; drop = true; break;
        case XML_ENTITY_DECL: case XML_ENTITY_NODE: ++c.entities; drop = true; break;
        case XML_PI_NODE: ++c.pis; drop = true; break;
        case XML_XINCLUDE_START: case XML_XINCLUDE_END: ++c.xincludes; drop = true; break;
        default: drop = xinclude(child) && ++c.xincludes;
        }
        if (drop) {
            xmlUnlinkNode(child);
            if (child->type == XML_DTD_NODE) xmlFreeDtd(reinterpret_cast<xmlDtdPtr>(child));
            else xmlFreeNode(child);
        } else {
            if (child->type == XML_ELEMENT_NODE)
                for (xmlAttrPtr a = child->properties; a; a = a->next) strip(reinterpret_cast<xmlNodePtr>(a), c, ctx, visited);
            strip(child, c, ctx, visited);
        }
        child = next;
    }
}

class XmlSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "xml"; }
    std::vector<std::string> types() const override { return {"xml"}; }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        if (in.bytes.size() > static_cast<std::size_t>(INT32_MAX)) throw SanitizeError(reason::limit_size, "XML too large");
        // NONET: nothing fetched; no NOENT, no DTDLOAD, no DTDATTR: entities stay references (removed
        // below) and no external subset is read; no HUGE: libxml2's size and depth limits apply.
        int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
        std::unique_ptr<xmlDoc, DocFree> doc(
            xmlReadMemory(in.bytes.data(), static_cast<int>(in.bytes.size()), "input.xml", nullptr, options));
        if (!doc || !xmlDocGetRootElement(doc.get())) throw SanitizeError(reason::malformed, "not well-formed XML");
        ctx.check_time();
        Counts c;
        std::size_t visited = 0;
        strip(reinterpret_cast<xmlNodePtr>(doc.get()), c, ctx, visited);
        doc->intSubset = nullptr;
        doc->extSubset = nullptr;
        xmlChar* buf = nullptr;
        int len = 0;
        xmlDocDumpMemoryEnc(doc.get(), &buf, &len, "UTF-8");
        if (!buf) throw SanitizeError(reason::internal, "XML serialisation failed");
        std::unique_ptr<xmlChar, void (*)(void*)> guard(buf, xmlFree);
        if (c.doctype)
            ctx.add("xml.doctype", Action::removed, "document type declaration (DTD) removed",
                    "文書型宣言(DTD)を削除しました(外部ファイルの読み込みやエンティティ展開の攻撃を防ぐため)。");
        if (c.entities)
            ctx.add("xml.entity", Action::removed, std::to_string(c.entities) + " entity references removed unexpanded",
                    "エンティティ参照を展開せずに削除しました。");
        if (c.pis)
            ctx.add("xml.pi", Action::removed, std::to_string(c.pis) + " processing instructions removed (xml-stylesheet, ...)",
                    "処理命令(スタイルシートの指定など)を削除しました。");
        if (c.xincludes)
            ctx.add("xml.xinclude", Action::removed, std::to_string(c.xincludes) + " XInclude elements removed",
                    "外部ファイルを取り込む指定(XInclude)を削除しました。");
        Output out;
        out.type = "xml";
        out.bytes.assign(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
        // Only what was removed makes the item "disarmed": a byte-identical rewrite is still a rewrite.
        if (out.bytes != in.bytes && !c.doctype && !c.entities && !c.pis && !c.xincludes)
            ctx.add("xml.rewritten", Action::converted, "re-serialised by libxml2 (UTF-8)",
                    "XMLを読み直して書き直しました(UTF-8)。");
        return {std::move(out)};
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_xml_sanitizer() { return std::make_shared<XmlSanitizer>(); }

}  // namespace mugaika
