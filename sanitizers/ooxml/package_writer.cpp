#include "package_writer.hpp"

#include <zip.h>

#include <cstdlib>
#include <cstring>

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

void add_entry(zip_t* z, const std::string& name, const std::string& bytes, bool compress) {
    // libzip takes ownership of a non-empty copy; an empty part gets no buffer at all (libzip would
    // not free a zero-length one).
    void* copy = nullptr;
    if (!bytes.empty()) {
        copy = std::malloc(bytes.size());
        if (!copy) throw std::bad_alloc();
        std::memcpy(copy, bytes.data(), bytes.size());
    }
    zip_source_t* s = zip_source_buffer(z, copy, bytes.size(), copy ? 1 : 0);
    if (!s) {
        std::free(copy);
        throw SanitizeError(reason::internal, "zip_source_buffer failed");
    }
    zip_int64_t idx = zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        throw SanitizeError(reason::internal, "cannot add " + name + " to the rebuilt package");
    }
    // zlib's own default level (6): libzip's default is 9, about three times slower for some 4% less
    // output; a gateway's throughput matters more than those bytes.
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                             compress ? 6 : 0);
    zip_file_set_mtime(z, static_cast<zip_uint64_t>(idx), 315532800 + 86400, 0);   // fixed: output depends on input only
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

    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (!src) throw SanitizeError(reason::internal, "zip_source_buffer_create failed");
    zip_source_keep(src);
    std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> guard(src, zip_source_free);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    if (!z) throw SanitizeError(reason::internal, "cannot create the rebuilt package");
    try {
        add_entry(z, "[Content_Types].xml", serialise_xml(types.doc.get()), true);
        add_entry(z, "_rels/.rels", relationships_xml(package_rels), true);
        for (const auto& p : parts) {
            add_entry(z, p.zip_name, p.bytes, p.compress);
            if (!p.rels.empty()) add_entry(z, rels_zip_name(p.zip_name), relationships_xml(p.rels), true);
        }
    } catch (...) {
        zip_discard(z);
        throw;
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        throw SanitizeError(reason::internal, "cannot finish the rebuilt package");
    }
    if (zip_source_open(src) != 0) throw SanitizeError(reason::internal, "cannot read the rebuilt package");
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    std::string out(static_cast<std::size_t>(size < 0 ? 0 : size), '\0');
    zip_int64_t got = zip_source_read(src, out.data(), static_cast<zip_uint64_t>(out.size()));
    zip_source_close(src);
    if (got != size) throw SanitizeError(reason::internal, "short read of the rebuilt package");
    return out;
}

}  // namespace mugaika::ooxml
