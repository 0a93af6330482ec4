#include "package_writer.hpp"

#include "../zip/zip_writer.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {
namespace {

struct Builder {
    XmlDoc doc{xmlNewDoc(BAD_CAST "1.0")};
    xmlNodePtr root;
    Builder(const char* name, const char* ns_href) {
        root = xmlNewDocNode(doc.get(), nullptr, BAD_CAST name, nullptr);
        xmlDocSetRootElement(doc.get(), root);
        xmlSetNs(root, xmlNewNs(root, BAD_CAST ns_href, nullptr));
        doc->standalone = 1;
    }
    xmlNodePtr child(const char* name) { return xmlNewChild(root, root->ns, BAD_CAST name, nullptr); }
};

void set(xmlNodePtr n, const char* name, const std::string& value) {
    xmlNewProp(n, BAD_CAST name, BAD_CAST value.c_str());
}

std::string rels_zip_name(const std::string& zip_name) {
    auto slash = zip_name.rfind('/');
    std::string dir = slash == std::string::npos ? "" : zip_name.substr(0, slash + 1);
    std::string file = slash == std::string::npos ? zip_name : zip_name.substr(slash + 1);
    return dir + "_rels/" + file + ".rels";
}

}  // namespace

std::string relationships_xml(const std::vector<Relationship>& rels) {
    Builder b("Relationships", ns::rels);
    for (const auto& r : rels) {
        xmlNodePtr n = b.child("Relationship");
        set(n, "Id", r.id);
        set(n, "Type", r.type);
        set(n, "Target", r.target);
        if (r.external) set(n, "TargetMode", "External");
    }
    return serialise_xml(b.doc.get());
}

std::string write_package(const std::vector<Relationship>& package_rels, const std::vector<OutPart>& parts) {
    Builder types("Types", ns::ct);
    xmlNodePtr d = types.child("Default");
    set(d, "Extension", "rels");
    set(d, "ContentType", "application/vnd.openxmlformats-package.relationships+xml");
    for (const auto& p : parts) {
        xmlNodePtr o = types.child("Override");
        set(o, "PartName", "/" + p.zip_name);
        set(o, "ContentType", p.content_type);
    }

    zip::ZipWriter z;
    z.add("[Content_Types].xml", serialise_xml(types.doc.get()));
    z.add("_rels/.rels", relationships_xml(package_rels));
    for (const auto& p : parts) {
        // The rebuild never keeps such a part; were it ever to, the package would not be written.
        if (is_writer_owned(p.zip_name))
            throw SanitizeError(reason::internal, "kept part under a name the writer owns: " + p.zip_name);
        z.add_borrowed(p.zip_name, p.bytes, p.compress);   // `parts` outlives z.finish() below
        if (!p.rels.empty()) z.add(rels_zip_name(p.zip_name), relationships_xml(p.rels));
    }
    return z.finish();
}

}  // namespace mugaika::ooxml
