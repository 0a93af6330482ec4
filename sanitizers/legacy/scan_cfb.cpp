// Binary Office files: what the storages, Excel's BIFF records, PowerPoint's records and Word's
// field codes say is there. Only structure is read; no stream is interpreted beyond record headers
// and the few fields named below.
#include <cctype>
#include <cstdint>
#include <string>

#include "../detect/cfb_tree.hpp"
#include "mugaika/reasons.hpp"
#include "scan.hpp"

namespace mugaika::legacy {
namespace {

constexpr std::uint64_t kMaxStream = 256ull << 20;

std::uint16_t u16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint32_t u32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(u16(b, at)) | (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

void storages(const cfb::Tree& t, Tally& tally) {
    for (const auto& n : t.nodes()) {
        if ((n.storage && (n.name == "Macros" || n.name == "_VBA_PROJECT_CUR" || n.name == "VBA")) ||
            (!n.storage && n.name == "_VBA_PROJECT" && n.depth == 0))
            tally.add("legacy.vba", "storage " + n.path);
        // Word's embedded objects: one storage per object under ObjectPool; Excel's: MBD* at the root.
        if (n.storage && n.depth == 1 && n.path.starts_with("ObjectPool/")) tally.add("legacy.ole", "ObjectPool object");
        if (n.storage && n.depth == 0 && n.name.starts_with("MBD")) tally.add("legacy.ole", "storage " + n.name);
        if (!n.storage && (n.name == "\x03OCXNAME" || n.name == "\x03" "OCXDATA")) tally.add("legacy.activex", n.path);
    }
}

// Excel BIFF5/BIFF8 records (type u16, length u16, data): sheets that are macro sheets or VB modules,
// built-in Auto_Open names, and external books (DDE links are those whose path names a server and
// topic, joined by 0x03).
void biff(std::string_view s, Context& ctx, Tally& tally) {
    std::size_t pos = 0, records = 0;
    while (pos + 4 <= s.size()) {
        std::uint16_t type = u16(s, pos), len = u16(s, pos + 2);
        std::size_t data = pos + 4;
        if (data + len > s.size()) break;
        std::string_view d = s.substr(data, len);
        if (type == 0x0085 && len >= 6) {   // BOUNDSHEET: lbPlyPos u32, hsState u8, dt u8, name
            unsigned dt = static_cast<unsigned char>(d[5]);
            if (dt == 0x01) tally.add("legacy.xlm", "macro sheet");
            else if (dt == 0x06) tally.add("legacy.vba", "VB module sheet");
        } else if (type == 0x0018 && len >= 15) {   // NAME: grbit u16, ..., cch at 3, name at 14/15
            std::uint16_t grbit = u16(d, 0);
            bool builtin = grbit & 0x0020;
            // The first name character: BIFF8 has a flags byte before it, BIFF5 does not.
            unsigned c8 = static_cast<unsigned char>(d[15 < len ? 15 : 14]);
            unsigned c5 = static_cast<unsigned char>(d[14]);
            if (builtin && (c8 == 0x01 || c5 == 0x01 || c8 == 0x02 || c5 == 0x02))   // Auto_Open, Auto_Close
                tally.add("legacy.xlm", "built-in name Auto_Open/Auto_Close");
            if (grbit & 0x0008) tally.add("legacy.xlm", "name that is a macro (fProc)");
        } else if (type == 0x01AE && len >= 4) {   // SUPBOOK: ctab u16, cch u16, virtual path
            std::uint16_t cch = u16(d, 2);
            if (cch != 0x0401 && cch != 0x3A01) {
                std::string_view path = d.substr(4);
                if (path.find('\x03') != std::string_view::npos) tally.add("legacy.dde", "DDE link");
                else tally.add("legacy.external_link", "external workbook");
            }
        } else if (type == 0x0017 && len >= 2 && tally.count("legacy.external_link") == 0) {
            // EXTERNSHEET in BIFF5 carries the book's encoded path itself (a 0x01 lead byte).
            std::string_view v = d.substr(1);
            if (!v.empty() && v[0] == 0x01) tally.add("legacy.external_link", "external workbook (BIFF5)");
        }
        pos = data + len;
        if (++records % 65536 == 0) ctx.check_time();
    }
}

// PowerPoint records (recVer:4 recInstance:12, recType u16, recLen u32), containers have recVer 0xF.
void ppt_records(std::string_view s, Context& ctx, Tally& tally) {
    std::size_t pos = 0, records = 0;
    while (pos + 8 <= s.size()) {
        std::uint16_t ver_inst = u16(s, pos), type = u16(s, pos + 2);
        std::uint32_t len = u32(s, pos + 4);
        bool container = (ver_inst & 0x000F) == 0x000F;
        if (type == 0x1011) tally.add("legacy.ole", "ExOleObjStg");          // embedded OLE storage
        else if (type == 0x0400 && len >= 12 && pos + 8 + 12 <= s.size() && (u32(s, pos + 8) != 0 || u32(s, pos + 12) != 0))
            // VBAInfoAtom: persistIdRef (the VBA project storage) and fHasMacros. The atom alone says
            // nothing: LibreOffice writes it into every presentation it saves, both fields zero.
            tally.add("legacy.vba", "VbaInfo");
        else if (type == 0x0FCE) tally.add("legacy.external_link", "ExOleLink");   // linked object
        else if (type == 0x0FC4 || type == 0x0FC3) tally.add("legacy.ole", "ExEmbed/ExOleObjAtom");
        if (++records % 65536 == 0) ctx.check_time();
        // Step into containers, over atoms; a length past the end ends the walk.
        std::size_t next = container ? pos + 8 : pos + 8 + len;
        if (next > s.size() || next <= pos) break;
        pos = next;
    }
}

// Word field codes: a field begins with 0x13, then its instruction (8-bit or UTF-16LE text). Only the
// first word of the instruction is looked at.
void word_fields(std::string_view s, Context& ctx, Tally& tally) {
    std::size_t records = 0;
    for (std::size_t pos = s.find('\x13'); pos != std::string_view::npos; pos = s.find('\x13', pos + 1)) {
        std::string word;
        for (std::size_t i = pos + 1; i < s.size() && i < pos + 64 && word.size() < 16; ++i) {
            unsigned char c = static_cast<unsigned char>(s[i]);
            if (c == 0 || (c == ' ' && word.empty())) continue;   // UTF-16 high bytes, leading blanks
            if (!std::isalpha(c)) break;
            word.push_back(static_cast<char>(std::toupper(c)));
        }
        if (word == "DDE" || word == "DDEAUTO") tally.add("legacy.dde", "field " + word);
        else if (word == "INCLUDETEXT" || word == "INCLUDEPICTURE" || word == "INCLUDE" || word == "LINK" ||
                 word == "IMPORT")
            tally.add("legacy.external_link", "field " + word);
        if (++records % 65536 == 0) ctx.check_time();
    }
}

}  // namespace

void scan_cfb(std::string_view bytes, std::string_view type, Context& ctx, Tally& tally) {
    auto tree = cfb::Tree::open(bytes);
    if (!tree) throw SanitizeError(reason::malformed, "not a readable compound file");
    storages(*tree, tally);
    ctx.check_time();
    auto stream = [&](const char* path) { return tree->read(path, kMaxStream); };
    if (type == "xls") {
        auto book = stream("Workbook");
        if (!book) book = stream("Book");
        if (book) biff(*book, ctx, tally);
    } else if (type == "ppt") {
        if (auto doc = stream("PowerPoint Document")) ppt_records(*doc, ctx, tally);
    } else if (type == "doc") {
        if (auto doc = stream("WordDocument")) word_fields(*doc, ctx, tally);
    }
}

}  // namespace mugaika::legacy
