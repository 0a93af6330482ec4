#include <libxml/xmlreader.h>

#include <memory>

#include "probes.hpp"

namespace mugaika::detect {
namespace {

constexpr const char* kOfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

struct ReaderFree {
    void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};

}  // namespace

std::string probe_flat_odf(std::string_view bytes) {
    // Only the root element is read: no DTD is loaded, no entity expanded, nothing fetched.
    std::string_view head = bytes.substr(0, 1 << 20);
    std::unique_ptr<xmlTextReader, ReaderFree> r(
        xmlReaderForMemory(head.data(), static_cast<int>(head.size()), nullptr, nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!r) return {};
    for (int i = 0; i < 64 && xmlTextReaderRead(r.get()) == 1; ++i) {
        if (xmlTextReaderNodeType(r.get()) != XML_READER_TYPE_ELEMENT) continue;
        const xmlChar* local = xmlTextReaderConstLocalName(r.get());
        const xmlChar* ns = xmlTextReaderConstNamespaceUri(r.get());
        if (!local || !ns || xmlStrcmp(local, BAD_CAST "document") != 0 || xmlStrcmp(ns, BAD_CAST kOfficeNs) != 0)
            return {};
        std::unique_ptr<xmlChar, void (*)(void*)> mt(
            xmlTextReaderGetAttributeNs(r.get(), BAD_CAST "mimetype", BAD_CAST kOfficeNs), xmlFree);
        if (!mt) return {};
        std::string_view m(reinterpret_cast<const char*>(mt.get()));
        if (m == "application/vnd.oasis.opendocument.text" || m == "application/vnd.oasis.opendocument.text-template")
            return "odt";
        if (m == "application/vnd.oasis.opendocument.spreadsheet" ||
            m == "application/vnd.oasis.opendocument.spreadsheet-template")
            return "ods";
        if (m == "application/vnd.oasis.opendocument.presentation" ||
            m == "application/vnd.oasis.opendocument.presentation-template")
            return "odp";
        return {};
    }
    return {};
}

}  // namespace mugaika::detect
