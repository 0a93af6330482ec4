#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include <array>
#include <memory>

#include "probes.hpp"

namespace mugaika::detect {
namespace {

constexpr std::uint64_t kMaxContentTypesBytes = 1 << 20;

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};

// Main-part content type -> OOXML type id.
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kMainParts{{
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx"},
    {"application/vnd.ms-word.document.macroEnabled.main+xml", "docm"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "dotx"},
    {"application/vnd.ms-word.template.macroEnabledTemplate.main+xml", "dotm"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx"},
    {"application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xlsm"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xltx"},
    {"application/vnd.ms-excel.template.macroEnabled.main+xml", "xltm"},
    {"application/vnd.ms-excel.sheet.binary.macroEnabled.main", "xlsb"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptx"},
    {"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", "pptm"},
    {"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", "potx"},
    {"application/vnd.ms-powerpoint.template.macroEnabled.main+xml", "potm"},
    {"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "ppsx"},
    {"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", "ppsm"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacroVariant{{
    {"docx", "docm"}, {"dotx", "dotm"}, {"xlsx", "xlsm"}, {"xltx", "xltm"},
    {"pptx", "pptm"}, {"potx", "potm"}, {"ppsx", "ppsm"},
}};

std::string read_entry(zip_t* z, zip_int64_t index, std::uint64_t max) {
    zip_stat_t st;
    if (zip_stat_index(z, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > max) return {};
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, index, 0), zip_fclose);
    if (!f) return {};
    std::string data(st.size, '\0');
    zip_int64_t got = zip_fread(f.get(), data.data(), st.size);
    if (got < 0 || static_cast<std::uint64_t>(got) != st.size) return {};
    return data;
}

// The content type of the part the package relationship points at is what Office trusts; the main
// part is the Override whose content type is one of the known main types.
std::string main_type_from_content_types(const std::string& xml) {
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "[Content_Types].xml", nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return {};
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> guard(doc, xmlFreeDoc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root) return {};
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "Override") != 0) continue;
        xmlChar* ct = xmlGetProp(n, BAD_CAST "ContentType");
        if (!ct) continue;
        std::string type(reinterpret_cast<char*>(ct));
        xmlFree(ct);
        for (const auto& [main, id] : kMainParts)
            if (type == main) return std::string(id);
    }
    return {};
}

}  // namespace

std::string probe_zip(std::string_view bytes, std::vector<Finding>& findings) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!src) return "zip";
    std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(src, ZIP_RDONLY, &error));
    if (!z) {
        zip_source_free(src);
        return "zip";   // the zip sanitizer decides what a broken zip is worth
    }
    zip_int64_t n = zip_get_num_entries(z.get(), 0);
    zip_int64_t content_types = -1;
    bool has_mimetype = false, has_manifest = false, has_class = false, has_dex = false,
         has_android_manifest = false, has_vba = false;
    for (zip_int64_t i = 0; i < n && i < 100000; ++i) {
        const char* raw = zip_get_name(z.get(), i, ZIP_FL_ENC_RAW);
        if (!raw) continue;
        std::string_view name(raw);
        if (name == "[Content_Types].xml") content_types = i;
        else if (name == "mimetype" && i == 0) has_mimetype = true;
        else if (name == "META-INF/MANIFEST.MF") has_manifest = true;
        else if (name == "AndroidManifest.xml") has_android_manifest = true;
        else if (name == "classes.dex") has_dex = true;
        if (name.ends_with(".class")) has_class = true;
        if (name.ends_with("vbaProject.bin") || name.ends_with("vbaProject.bin.rels")) has_vba = true;
    }
    if (has_android_manifest && has_dex) return "apk";
    if (has_class || (has_manifest && content_types < 0 && !has_mimetype)) return "java";
    if (has_mimetype) {
        std::string mt = read_entry(z.get(), 0, 256);
        if (mt == "application/vnd.oasis.opendocument.text") return "odt";
        if (mt == "application/vnd.oasis.opendocument.spreadsheet") return "ods";
        if (mt == "application/vnd.oasis.opendocument.presentation") return "odp";
    }
    if (content_types >= 0) {
        std::string id = main_type_from_content_types(read_entry(z.get(), content_types, kMaxContentTypesBytes));
        if (!id.empty()) {
            if (has_vba) {
                for (const auto& [plain, macro] : kMacroVariant) {
                    if (id == plain) {
                        findings.push_back({"", "detect.hidden_macros", Action::noted,
                                            "a ." + id + " package that carries a VBA project",
                                            "マクロを含まない形式を装っていますが、マクロ(VBA)を含んでいます。"});
                        id = std::string(macro);
                        break;
                    }
                }
            }
            return id;
        }
    }
    return "zip";
}

}  // namespace mugaika::detect
