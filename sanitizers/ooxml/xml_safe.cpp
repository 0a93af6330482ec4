#include "xml_safe.hpp"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include <climits>
#include <vector>

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

// OOXML parts are UTF-8 or UTF-16 (ECMA-376 Part 2). UTF-16 is turned into UTF-8 here, strictly, so
// that the parser and the scan below read the same text, and any other encoding fails to parse.
std::string utf8_from_utf16(std::string_view b, bool little, const std::string& part) {
    std::string out;
    out.reserve(b.size());
    if (b.size() % 2) throw SanitizeError(reason::malformed, part + " is UTF-16 of odd length");
    auto unit = [&](std::size_t i) -> unsigned {
        auto lo = static_cast<unsigned char>(b[little ? i : i + 1]), hi = static_cast<unsigned char>(b[little ? i + 1 : i]);
        return lo | (hi << 8);
    };
    for (std::size_t i = 0; i < b.size(); i += 2) {
        unsigned c = unit(i);
        if (c >= 0xDC00 && c <= 0xDFFF) throw SanitizeError(reason::malformed, part + " has a lone UTF-16 surrogate");
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 3 >= b.size()) throw SanitizeError(reason::malformed, part + " has a lone UTF-16 surrogate");
            unsigned d = unit(i + 2);
            if (d < 0xDC00 || d > 0xDFFF) throw SanitizeError(reason::malformed, part + " has a lone UTF-16 surrogate");
            c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
            i += 2;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// libxml2 2.9 checks each attribute of an element against every other one and looks a prefix up
// through every namespace declaration in scope: an element with 40000 attributes (a 90 KB part)
// takes 12 s to parse. OOXML has a few dozen at most, so one linear scan of the text bounds both
// before libxml2 sees it. Tags are found outside comments, CDATA and processing instructions;
// attribute values are skipped by their quotes.
constexpr std::size_t kMaxAttributes = 256;
constexpr std::size_t kMaxNamespacesInScope = 512;

void check_attribute_counts(std::string_view s, const std::string& part) {
    std::vector<std::size_t> scope;   // namespace declarations of each open element
    std::size_t in_scope = 0;
    auto skip_past = [&](std::size_t from, std::string_view end) {
        std::size_t at = s.find(end, from);
        return at == std::string_view::npos ? s.size() : at + end.size();
    };
    for (std::size_t i = s.find('<'); i < s.size(); i = s.find('<', i)) {
        std::string_view rest = s.substr(i);
        if (rest.starts_with("<!--")) { i = skip_past(i + 4, "-->"); continue; }
        if (rest.starts_with("<![CDATA[")) { i = skip_past(i + 9, "]]>"); continue; }
        if (rest.starts_with("<?")) { i = skip_past(i + 2, "?>"); continue; }
        if (rest.starts_with("<!")) { i = skip_past(i + 2, ">"); continue; }
        if (rest.starts_with("</")) {
            if (!scope.empty()) {
                in_scope -= scope.back();
                scope.pop_back();
            }
            i = skip_past(i + 2, ">");
            continue;
        }
        // One forward pass per tag: `run` is the word being read, `last` the word before the spaces
        // in front of '=' (a = "x").
        std::size_t attributes = 0, namespaces = 0, j = i + 1, run = j;
        std::string_view last;
        auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
        for (; j < s.size() && s[j] != '>'; ++j) {
            char c = s[j];
            if (c == '"' || c == '\'') {
                std::size_t close = s.find(c, j + 1);
                j = close == std::string_view::npos ? s.size() - 1 : close;
                run = j + 1;
                last = {};
            } else if (space(c)) {
                if (run < j) last = s.substr(run, j - run);
                run = j + 1;
            } else if (c == '=') {
                ++attributes;
                std::string_view name = run < j ? s.substr(run, j - run) : last;
                if (name == "xmlns" || name.starts_with("xmlns:")) ++namespaces;
                run = j + 1;
                last = {};
            }
        }
        if (attributes > kMaxAttributes)
            throw SanitizeError(reason::malformed, part + " has an element with more than " +
                                                       std::to_string(kMaxAttributes) + " attributes");
        if (in_scope + namespaces > kMaxNamespacesInScope)
            throw SanitizeError(reason::malformed, part + " declares more than " +
                                                       std::to_string(kMaxNamespacesInScope) + " namespaces in one scope");
        bool self_closing = j < s.size() && j > i && s[j - 1] == '/';
        if (!self_closing) {
            scope.push_back(namespaces);
            in_scope += namespaces;
        }
        i = j;
    }
}

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
    std::string utf16;
    if (bytes.starts_with("\xFF\xFE") || bytes.starts_with(std::string_view("<\0", 2)))
        bytes = utf16 = utf8_from_utf16(bytes.substr(bytes.starts_with("\xFF\xFE") ? 2 : 0), true, part);
    else if (bytes.starts_with("\xFE\xFF") || bytes.starts_with(std::string_view("\0<", 2)))
        bytes = utf16 = utf8_from_utf16(bytes.substr(bytes.starts_with("\xFE\xFF") ? 2 : 0), false, part);
    else if (bytes.starts_with("\xEF\xBB\xBF"))
        bytes.remove_prefix(3);
    check_attribute_counts(bytes, part);
    // UTF-8 whatever the declaration says (IGNORE_ENC): what was scanned is what is parsed. No
    // XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no HUGE, no network.
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
                  XML_PARSE_IGNORE_ENC;
    XmlDoc doc(xmlCtxtReadMemory(ctx.get(), bytes.data(), static_cast<int>(bytes.size()), part.c_str(), "UTF-8", options));
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
