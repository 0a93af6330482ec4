#include "zip_structure.hpp"

#include <algorithm>

namespace mugaika::zip {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kEnd64Sig = 0x06064b50;
constexpr std::uint32_t kLocator64Sig = 0x07064b50;

struct Reader {
    std::string_view b;
    bool has(std::uint64_t at, std::uint64_t n) const { return at <= b.size() && n <= b.size() - at; }
    std::uint16_t u16(std::uint64_t at) const {
        return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                          (static_cast<unsigned char>(b[at + 1]) << 8));
    }
    std::uint32_t u32(std::uint64_t at) const { return u16(at) | (static_cast<std::uint32_t>(u16(at + 2)) << 16); }
    std::uint64_t u64(std::uint64_t at) const { return u32(at) | (static_cast<std::uint64_t>(u32(at + 4)) << 32); }
};

bool fail(StructureError& e, bool ambiguous, std::string detail) {
    e.ambiguous = ambiguous;
    e.detail = std::move(detail);
    return false;
}

// Reads the zip64 extended information extra field (id 1): only the fields whose 32-bit value is
// saturated are present, in this order.
bool read_zip64_extra(const Reader& r, std::uint64_t extra, std::uint16_t len, std::uint64_t* size,
                      std::uint64_t* csize, std::uint64_t* offset) {
    std::uint64_t end = extra + len;
    while (extra + 4 <= end) {
        std::uint16_t id = r.u16(extra), n = r.u16(extra + 2);
        if (extra + 4 + n > end) return false;
        if (id == 1) {
            std::uint64_t p = extra + 4, e = p + n;
            for (std::uint64_t* v : {size, csize, offset}) {
                if (!v || *v != 0xFFFFFFFFu) continue;
                if (p + 8 > e) return false;
                *v = r.u64(p);
                p += 8;
            }
            return true;
        }
        extra += 4 + n;
    }
    return true;
}

}  // namespace

bool parse_structure(std::string_view bytes, std::uint32_t max_entries, RawZip& out, StructureError& error,
                     bool& too_many_entries) {
    too_many_entries = false;
    Reader r{bytes};
    if (bytes.size() < 22) return fail(error, false, "too short for a zip");

    // The end record is the last one whose comment reaches exactly to the end of the file; a record
    // whose comment stops short means bytes were appended after the archive.
    std::uint64_t eocd = UINT64_MAX;
    std::uint64_t lowest = bytes.size() >= 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
    for (std::uint64_t p = bytes.size() - 22 + 1; p-- > lowest;) {
        if (r.u32(p) != kEndSig) continue;
        if (p + 22 + r.u16(p + 20) > bytes.size()) continue;
        eocd = p;
        break;
    }
    if (eocd == UINT64_MAX) return fail(error, false, "no end of central directory record");
    // A second end record whose comment also reaches the end (one hidden in the other's comment) lets
    // two readers pick different directories.
    for (std::uint64_t p = eocd; p-- > lowest;)
        if (r.u32(p) == kEndSig && p + 22 + r.u16(p + 20) == bytes.size())
            return fail(error, true, "two end of central directory records");
    if (eocd + 22 + r.u16(eocd + 20) != bytes.size())
        return fail(error, true, std::to_string(bytes.size() - eocd - 22 - r.u16(eocd + 20)) +
                                     " bytes after the end of the archive");

    if (r.u16(eocd + 4) != 0 || r.u16(eocd + 6) != 0)
        return fail(error, true, "multi-disk archive");
    std::uint64_t total = r.u16(eocd + 10);
    std::uint64_t cd_size = r.u32(eocd + 12);
    std::uint64_t cd_offset = r.u32(eocd + 16);
    std::uint64_t cd_end_expected = eocd;
    if (r.u16(eocd + 8) != total) return fail(error, true, "entry counts of the end record disagree");

    if (total == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
        if (eocd < 20 || r.u32(eocd - 20) != kLocator64Sig) return fail(error, false, "zip64 locator missing");
        std::uint64_t e64 = r.u64(eocd - 20 + 8);
        if (!r.has(e64, 56) || r.u32(e64) != kEnd64Sig) return fail(error, false, "zip64 end record missing");
        if (e64 + 56 > eocd - 20) return fail(error, true, "zip64 end record overlaps its locator");
        if (r.u32(e64 + 16) != 0 || r.u32(e64 + 20) != 0) return fail(error, true, "multi-disk archive");
        total = r.u64(e64 + 32);
        if (r.u64(e64 + 24) != total) return fail(error, true, "entry counts of the zip64 end record disagree");
        cd_size = r.u64(e64 + 40);
        cd_offset = r.u64(e64 + 48);
        // The zip64 extensible data sector may follow; the central directory must end right at e64.
        cd_end_expected = e64;
    }
    if (total > max_entries) {
        too_many_entries = true;
        return fail(error, false, std::to_string(total) + " entries");
    }
    if (cd_offset > cd_end_expected || cd_size != cd_end_expected - cd_offset)
        return fail(error, true, "central directory does not end where the end record starts");

    out.cd_offset = cd_offset;
    out.cd_size = cd_size;
    out.entries.clear();
    out.entries.reserve(static_cast<std::size_t>(total));
    std::uint64_t p = cd_offset;
    for (std::uint64_t i = 0; i < total; ++i) {
        if (!r.has(p, 46) || p + 46 > cd_end_expected || r.u32(p) != kCentralSig)
            return fail(error, false, "central directory entry " + std::to_string(i) + " is broken");
        RawEntry e;
        e.central_offset = p;
        e.flags = r.u16(p + 8);
        e.method = r.u16(p + 10);
        e.crc = r.u32(p + 16);
        e.compressed_size = r.u32(p + 20);
        e.size = r.u32(p + 24);
        std::uint16_t nlen = r.u16(p + 28), xlen = r.u16(p + 30), clen = r.u16(p + 32);
        std::uint16_t disk = r.u16(p + 34);
        e.local_offset = r.u32(p + 42);
        if (p + 46 + nlen + xlen + clen > cd_end_expected)
            return fail(error, false, "central directory entry " + std::to_string(i) + " overruns the directory");
        e.name.assign(bytes.substr(p + 46, nlen));
        if (!read_zip64_extra(r, p + 46 + nlen, xlen, &e.size, &e.compressed_size, &e.local_offset))
            return fail(error, false, "bad zip64 extra field in " + e.name);
        if (disk != 0 && disk != 0xFFFF) return fail(error, true, "entry on another disk: " + e.name);
        p += 46 + nlen + xlen + clen;

        // The local header must say the same as the central directory: readers that stream from the
        // front (and some antivirus engines) trust the local one.
        std::uint64_t l = e.local_offset;
        if (!r.has(l, 30) || r.u32(l) != kLocalSig)
            return fail(error, true, "no local header for " + e.name);
        std::uint16_t lflags = r.u16(l + 6), lmethod = r.u16(l + 8);
        std::uint16_t lnlen = r.u16(l + 26), lxlen = r.u16(l + 28);
        if (!r.has(l + 30, std::uint64_t(lnlen) + lxlen)) return fail(error, false, "local header overruns: " + e.name);
        if (bytes.substr(l + 30, lnlen) != e.name)
            return fail(error, true, "local and central names differ for " + e.name);
        if (lmethod != e.method || ((lflags ^ e.flags) & 0x0041))
            return fail(error, true, "local and central method or encryption differ for " + e.name);
        if (!(lflags & 0x0008)) {
            std::uint64_t lcsize = r.u32(l + 18), lsize = r.u32(l + 22);
            if (!read_zip64_extra(r, l + 30 + lnlen, lxlen, &lsize, &lcsize, nullptr))
                return fail(error, false, "bad local zip64 extra field in " + e.name);
            if (r.u32(l + 14) != e.crc || lcsize != e.compressed_size || lsize != e.size)
                return fail(error, true, "local and central sizes or CRC differ for " + e.name);
        }
        e.data_offset = l + 30 + lnlen + lxlen;
        if (!r.has(e.data_offset, e.compressed_size) || e.data_offset + e.compressed_size > cd_offset)
            return fail(error, true, "data of " + e.name + " runs into the central directory");
        out.entries.push_back(std::move(e));
    }
    if (p != cd_end_expected) return fail(error, true, "bytes hidden at the end of the central directory");

    // Entries must tile the file in order without overlap (overlap is how "better zip bombs" reuse
    // one compressed stream many times), and nothing may precede the first one (polyglots,
    // self-extractors).
    std::vector<const RawEntry*> order;
    for (const auto& e : out.entries) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->local_offset < b->local_offset; });
    if (!order.empty() && order.front()->local_offset != 0)
        return fail(error, true, std::to_string(order.front()->local_offset) + " bytes before the first entry");
    if (order.empty() && cd_offset != 0) return fail(error, true, "bytes before an empty central directory");
    for (std::size_t i = 0; i + 1 < order.size(); ++i) {
        std::uint64_t end = order[i]->data_offset + order[i]->compressed_size;
        std::uint64_t next = order[i + 1]->local_offset;
        if (next < end) return fail(error, true, "entries overlap: " + order[i]->name + " and " + order[i + 1]->name);
        // A data descriptor takes at most 24 bytes; anything more is data nobody lists.
        if (next - end > 24) return fail(error, true, std::to_string(next - end) + " unlisted bytes after " + order[i]->name);
    }
    if (!order.empty()) {
        std::uint64_t end = order.back()->data_offset + order.back()->compressed_size;
        if (cd_offset - end > 24) return fail(error, true, std::to_string(cd_offset - end) + " unlisted bytes before the central directory");
    }
    return true;
}

}  // namespace mugaika::zip
