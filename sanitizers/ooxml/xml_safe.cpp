#include "xml_safe.hpp"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include <climits>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::ooxml {
namespace {

// Called by the parser when it meets <!DOCTYPE ...>: OOXML never has one, and refusing it here means
// no entity is ever declared, let alone expanded.
void refuse_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
    parser->_private = reinterpret_cast<void*>(1);
    xmlStopParser(parser);
}

void quiet(void*, const char*, ...) {}

}  // namespace

XmlDoc parse_xml(std::string_view bytes, const std::string& part) {
    if (bytes.size() > INT_MAX) throw SanitizeError(reason::limit_size, part + " is too large to parse");
    std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctx(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctx) throw SanitizeError(reason::limit_memory, "no XML parser context");
    ctx->sax->internalSubset = refuse_doctype;
    ctx->sax->externalSubset = refuse_doctype;
    ctx->sax->error = quiet;
    ctx->sax->warning = quiet;
    ctx->_private = nullptr;
    // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no HUGE, no network.
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    XmlDoc doc(xmlCtxtReadMemory(ctx.get(), bytes.data(), static_cast<int>(bytes.size()), part.c_str(), nullptr, options));
    if (ctx->_private) throw SanitizeError(reason::malformed, part + " has a DOCTYPE (DTDs are not allowed in OOXML)");
    if (!doc || !ctx->wellFormed || !xmlDocGetRootElement(doc.get()))
        throw SanitizeError(reason::malformed, part + " is not well-formed XML");
    return doc;
}

std::string serialise_xml(xmlDocPtr doc) {
    xmlChar* mem = nullptr;
    int size = 0;
    if (doc->encoding) {   // re-serialise as UTF-8 whatever it came in
        xmlFree(const_cast<xmlChar*>(doc->encoding));
        doc->encoding = nullptr;
    }
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    if (!mem) throw SanitizeError(reason::limit_memory, "cannot serialise XML");
    std::string out(reinterpret_cast<char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return out;
}

std::string attr(xmlNodePtr n, const char* name, const char* ns) {
    xmlChar* v = ns ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlGetNoNsProp(n, BAD_CAST name);
    if (!v) return {};
    std::string s(reinterpret_cast<char*>(v));
    xmlFree(v);
    return s;
}

std::string text_of(xmlNodePtr n) {
    xmlChar* v = xmlNodeGetContent(n);
    if (!v) return {};
    std::string s(reinterpret_cast<char*>(v));
    xmlFree(v);
    return s;
}

void unwrap(xmlNodePtr n) {
    xmlNodePtr child = n->children;
    while (child) {
        xmlNodePtr next = child->next;
        xmlUnlinkNode(child);
        xmlAddPrevSibling(n, child);
        child = next;
    }
    remove_node(n);
}

void remove_node(xmlNodePtr n) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

}  // namespace mugaika::ooxml
