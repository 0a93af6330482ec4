// OpenDocument: the package through the safe zip reader (the converter never sees an ambiguous zip),
// then its XML parts streamed with libxml2's reader: no DTD (a DOCTYPE holds the document), no
// entities, no network.
#include <libxml/xmlreader.h>

#include <memory>
#include <string>

#include "../zip/safe_zip.hpp"
#include "mugaika/reasons.hpp"
#include "scan.hpp"

namespace mugaika::legacy {
namespace {

constexpr const char* kXlink = "http://www.w3.org/1999/xlink";
constexpr const char* kScript = "urn:oasis:names:tc:opendocument:xmlns:script:1.0";
constexpr const char* kOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr const char* kDraw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
constexpr const char* kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr const char* kXForms = "http://www.w3.org/2002/xforms";

struct ReaderFree {
    void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};

bool eq(const xmlChar* a, const char* b) { return a && xmlStrcmp(a, BAD_CAST b) == 0; }

// A reference the document resolves outside itself: a scheme, a network path or an absolute path,
// or a climb out of the package. Package-internal ones ("./Object 1", "Pictures/x.png") are not.
bool external(std::string_view href) {
    if (href.empty() || href[0] == '#') return false;
    if (href.starts_with("./")) href.remove_prefix(2);
    if (href.starts_with("../") || href.starts_with("/") || href.starts_with("\\")) return true;
    auto colon = href.find(':');
    auto slash = href.find('/');
    return colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash);
}

void scan_xml(std::string_view xml, const std::string& part, Context& ctx, Tally& tally) {
    std::unique_ptr<xmlTextReader, ReaderFree> r(xmlReaderForMemory(
        xml.data(), static_cast<int>(xml.size()), part.c_str(), nullptr,
        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!r) throw SanitizeError(reason::malformed, part + ": not readable XML");
    std::size_t nodes = 0;
    int rc;
    while ((rc = xmlTextReaderRead(r.get())) == 1) {
        int type = xmlTextReaderNodeType(r.get());
        if (type == XML_READER_TYPE_DOCUMENT_TYPE)
            throw SanitizeError(reason::malformed, part + ": a DOCTYPE (OpenDocument never has one)");
        if (++nodes % 65536 == 0) ctx.check_time();
        if (type != XML_READER_TYPE_ELEMENT) continue;
        const xmlChar* ns = xmlTextReaderConstNamespaceUri(r.get());
        const xmlChar* local = xmlTextReaderConstLocalName(r.get());
        if (!ns || !local) continue;
        if (eq(ns, kScript) && eq(local, "event-listener")) tally.add("legacy.event", part + ": script:event-listener");
        else if (eq(ns, kOffice) && eq(local, "script")) tally.add("legacy.odf_script", part + ": office:script");
        else if (eq(ns, kOffice) && eq(local, "dde-source")) tally.add("legacy.dde", part + ": office:dde-source");
        else if (eq(ns, kText) && (eq(local, "dde-connection-decl") || eq(local, "dde-connection")))
            tally.add("legacy.dde", part + ": text:dde-connection");
        else if (eq(ns, kTable) && eq(local, "dde-link")) tally.add("legacy.dde", part + ": table:dde-link");
        else if (eq(ns, kDraw) && (eq(local, "applet") || eq(local, "plugin")))
            tally.add("legacy.ole", part + ": draw:" + reinterpret_cast<const char*>(local));
        else if (eq(ns, kDraw) && eq(local, "object-ole")) tally.add("legacy.ole", part + ": draw:object-ole");
        else if (eq(ns, kXForms) && eq(local, "submission")) tally.add("legacy.external_link", part + ": xforms:submission");
        std::unique_ptr<xmlChar, void (*)(void*)> href(xmlTextReaderGetAttributeNs(r.get(), BAD_CAST "href", BAD_CAST kXlink), xmlFree);
        if (href && external(reinterpret_cast<const char*>(href.get()))) {
            // Hyperlinks (text:a, draw:a) follow the OOXML links policy after conversion; what is
            // fetched or run without a click is what counts here.
            bool click = eq(local, "a") || eq(local, "event-listener");
            if (!click) tally.add("legacy.external_link", part + ": " + reinterpret_cast<const char*>(local));
        }
    }
    if (rc < 0) throw SanitizeError(reason::malformed, part + ": broken XML");
}

}  // namespace

void scan_odf(std::string_view bytes, Context& ctx, Tally& tally) {
    zip::SafeZip z(bytes, zip::ZipLimits::from(ctx.limits()), ctx);
    for (const auto& e : z.entries()) {
        if (e.unsafe_name || e.directory) continue;
        const std::string& n = e.path;
        if (n.starts_with("Basic/") && n != "Basic/script-lc.xml" && !n.ends_with("/script-lb.xml"))
            tally.add("legacy.odf_script", "Basic module " + n);
        else if (n.starts_with("Scripts/")) tally.add("legacy.odf_script", n);
        else if (n.starts_with("Dialogs/") && !n.ends_with("dialog-lc.xml") && !n.ends_with("dialog-lb.xml"))
            tally.add("legacy.odf_script", "dialog " + n);
        // An embedded object stored as one binary file (not an ODF sub-document folder) is OLE.
        else if (n.starts_with("Object ") && n.find('/') == std::string::npos) tally.add("legacy.ole", n);
        else if (n == "content.xml" || n == "styles.xml" ||
                 (n.starts_with("Object ") && n.ends_with("/content.xml")))
            scan_xml(z.read(e, ctx), n, ctx, tally);
        ctx.check_time();
    }
}

void scan_flat_odf(std::string_view bytes, Context& ctx, Tally& tally) { scan_xml(bytes, "document", ctx, tally); }

}  // namespace mugaika::legacy
