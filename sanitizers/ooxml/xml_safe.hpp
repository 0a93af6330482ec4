// libxml2 configured for hostile input: no network, no DTD (a DOCTYPE is refused outright, which also
// rules out entity expansion and billion-laughs), libxml2's default size and depth limits (no
// XML_PARSE_HUGE). Every XML part we keep goes through parse and re-serialisation.
#pragma once

#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace mugaika::ooxml {

struct DocFree {
    void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, DocFree>;

// Throws SanitizeError(malformed) for broken XML and for any DOCTYPE.
XmlDoc parse_xml(std::string_view bytes, const std::string& part);
std::string serialise_xml(xmlDocPtr doc);

// Small DOM helpers.
// Hot: called for every element by every step, so the cheapest test (first letter) goes first.
inline bool is(xmlNodePtr n, const char* ns, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->name[0] == static_cast<unsigned char>(local[0]) && n->ns &&
           n->ns->href && std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0;
}
std::string attr(xmlNodePtr n, const char* name, const char* ns = nullptr);
std::string text_of(xmlNodePtr n);
// Replaces `n` by its children (keeps the text of a hyperlink, drops the link).
void unwrap(xmlNodePtr n);
void remove_node(xmlNodePtr n);

namespace ns {
inline constexpr const char* r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
inline constexpr const char* w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
inline constexpr const char* x = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
inline constexpr const char* p = "http://schemas.openxmlformats.org/presentationml/2006/main";
inline constexpr const char* a = "http://schemas.openxmlformats.org/drawingml/2006/main";
inline constexpr const char* c = "http://schemas.openxmlformats.org/drawingml/2006/chart";
inline constexpr const char* rels = "http://schemas.openxmlformats.org/package/2006/relationships";
inline constexpr const char* ct = "http://schemas.openxmlformats.org/package/2006/content-types";
inline constexpr const char* vml = "urn:schemas-microsoft-com:vml";
inline constexpr const char* o = "urn:schemas-microsoft-com:office:office";
}  // namespace ns

}  // namespace mugaika::ooxml
