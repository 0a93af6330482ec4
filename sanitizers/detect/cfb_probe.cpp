#include <gsf/gsf.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "probes.hpp"

namespace mugaika::detect {

std::string probe_cfb(std::string_view bytes) {
    static std::once_flag once;
    std::call_once(once, [] { gsf_init(); });   // libgsf's own type registration, idempotent

    GsfInput* input = gsf_input_memory_new(reinterpret_cast<const guint8*>(bytes.data()),
                                           static_cast<gsf_off_t>(bytes.size()), FALSE);
    if (!input) return "cfb";
    GError* err = nullptr;
    GsfInfile* ole = gsf_infile_msole_new(input, &err);
    g_object_unref(input);
    if (!ole) {
        if (err) g_error_free(err);
        return "cfb";
    }
    std::set<std::string> names;
    int n = gsf_infile_num_children(ole);
    for (int i = 0; i < n && i < 10000; ++i)
        if (const char* name = gsf_infile_name_by_index(ole, i)) names.insert(name);
    g_object_unref(ole);

    auto has = [&](const char* s) { return names.contains(s); };
    if (has("EncryptedPackage") || has("EncryptionInfo")) return "office-encrypted";
    if (has("WordDocument")) return "doc";
    if (has("Workbook") || has("Book")) return "xls";
    if (has("PowerPoint Document")) return "ppt";
    if (has("__properties_version1.0")) return "outlook-msg";
    return "cfb";
}

}  // namespace mugaika::detect
