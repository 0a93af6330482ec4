#include <string>

#include "cfb_tree.hpp"
#include "probes.hpp"

namespace mugaika::detect {
namespace {

// Where a VBA project lives in each binary Office format (Word: Macros, Excel: _VBA_PROJECT_CUR,
// any: a VBA storage with its dir stream; PowerPoint keeps it inside its own stream, see legacy/).
bool has_vba(const cfb::Tree& t) {
    for (const auto& n : t.nodes())
        if ((n.storage && (n.name == "Macros" || n.name == "_VBA_PROJECT_CUR" || n.name == "VBA")) ||
            (!n.storage && n.name == "_VBA_PROJECT"))
            return true;
    return false;
}

// 一太郎 (Ichitaro 8 and later) keeps a segment directory stream in its storages.
bool is_ichitaro(const cfb::Tree& t) {
    for (const auto& n : t.nodes())
        if (!n.storage && (n.name == "\x04JSRV_SegmentInformation" || n.name.starts_with("JSRV_") ||
                           n.name.starts_with("\x04JSRV_")))
            return true;
    return false;
}

}  // namespace

std::string probe_cfb(std::string_view bytes, std::vector<Finding>& findings) {
    auto tree = cfb::Tree::open(bytes);
    if (!tree) return "cfb";
    auto top = [&](const char* s) {
        const cfb::Node* n = tree->find(s);
        return n != nullptr;
    };
    std::string id = "cfb";
    if (top("EncryptedPackage") || top("EncryptionInfo")) return "office-encrypted";
    if (top("WordDocument")) id = "doc";
    else if (top("Workbook") || top("Book")) id = "xls";   // Book: Excel 5/95 (BIFF5)
    else if (top("PowerPoint Document")) id = "ppt";
    else if (top("__properties_version1.0")) id = "outlook-msg";
    else if (is_ichitaro(*tree)) id = "ichitaro";
    if ((id == "doc" || id == "xls" || id == "ppt") && has_vba(*tree))
        findings.push_back({"", "detect.macros", Action::noted, "a VBA project is present",
                            "マクロ(VBA)が含まれています。"});
    return id;
}

}  // namespace mugaika::detect
