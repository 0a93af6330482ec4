#include "packed_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <set>
#include <vector>

#include "../zip/safe_zip.hpp"
#include "mugaika/reasons.hpp"
#include "tar_structure.hpp"

namespace mugaika::archive {

std::optional<Packed> packed_format(std::string_view id) {
    if (id == "7z") return Packed::sevenzip;
    if (id == "rar") return Packed::rar;
    if (id == "lzh") return Packed::lzh;
    if (id == "tar") return Packed::tar;
    return std::nullopt;
}

namespace {

constexpr std::uint64_t kMaxMemberBytes = 256ull << 20;
constexpr std::uint64_t kRatioFloor = 1ull << 20;   // ratios are only judged above this many bytes
constexpr std::uint32_t kMaxEntries = 10000;

// libarchive converts names to the charset of the calling thread's locale: UTF-8 here, for as long as
// one of its calls runs, whatever the process's locale is (the C locale turns a 7z's UTF-16 names into
// nothing). Without the C.UTF-8 locale on the system, names that need it fail closed.
class Utf8Locale {
public:
    Utf8Locale() : loc_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {}
    ~Utf8Locale() {
        if (loc_) freelocale(loc_);
    }
    locale_t get() const { return loc_; }

private:
    locale_t loc_;
};

class InLocale {
public:
    explicit InLocale(const Utf8Locale& l) : old_(l.get() ? uselocale(l.get()) : static_cast<locale_t>(nullptr)) {}
    ~InLocale() {
        if (old_) uselocale(old_);
    }

private:
    locale_t old_;
};

std::string error_of(::archive* a) {
    const char* e = archive_error_string(a);
    return e ? std::string(e) : "unknown error";
}

std::uint64_t le64(std::string_view b, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    return v;
}

// A 7z ends with its header: its start header says where. Anything after it was put there for some
// other reader (a zip's end record, a second archive).
void check_7z_end(std::string_view b) {
    if (b.size() < 32) throw SanitizeError(reason::malformed, "7z: truncated start header");
    std::uint64_t offset = le64(b, 12), size = le64(b, 20);
    if (offset > b.size() || size > b.size() || 32 + offset + size > b.size())
        throw SanitizeError(reason::malformed, "7z: the header lies beyond the end of the file");
    if (32 + offset + size != b.size())
        throw SanitizeError(reason_ambiguous, "7z: " + std::to_string(b.size() - 32 - offset - size) +
                                                  " bytes after the end of the archive");
}

// RAR 5's variable-length integer (7 bits a byte, low first); false when it runs past the end.
bool vint(std::string_view b, std::size_t& at, std::size_t end, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && at < end; shift += 7) {
        unsigned char c = static_cast<unsigned char>(b[at++]);
        v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
        if (!(c & 0x80)) return true;
    }
    return false;
}

// Which RAR 5 file headers carry a file encryption record. libarchive 3.6.2's RAR 5 reader skips that
// record without a word and would hand out the encrypted bytes as if they were the file (RARLAB's
// "RAR 5.0 archive format": header = CRC32, size, type, flags, [extra size], [data size], fields,
// extra area of records (size, type, data); type 1 of a file header is "file encryption", header
// type 4 is "archive encryption").
struct Rar5Encryption {
    bool headers = false;         // the whole archive, names included, is encrypted
    std::vector<bool> files;      // per file header, in order
    bool readable = true;         // false: our walk could not follow the headers
    std::size_t trailing = 0;     // bytes after the end-of-archive header
};

// RAR 4's blocks (RARLAB's technote: CRC16, type, flags, size, and with flag 0x8000 an added data
// size; a file header's is its packed size, with 0x100 high 32 bits in the header): how many bytes
// follow the end-of-archive block (type 0x7b), or 0 when the archive simply ends. nullopt when the
// chain cannot be followed.
std::optional<std::size_t> rar4_trailing(std::string_view b, std::uint64_t max_blocks) {
    auto u16 = [&](std::size_t at) { return static_cast<unsigned>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8); };
    auto u32 = [&](std::size_t at) { return static_cast<std::uint64_t>(u16(at)) | static_cast<std::uint64_t>(u16(at + 2)) << 16; };
    std::size_t at = 7;   // after the marker block
    for (std::uint64_t n = 0; at < b.size(); ++n) {
        if (n > max_blocks || b.size() - at < 7) return std::nullopt;
        unsigned type = static_cast<unsigned char>(b[at + 2]), flags = u16(at + 3), size = u16(at + 5);
        if (size < 7 || size > b.size() - at) return std::nullopt;
        std::uint64_t data = 0;
        if (flags & 0x8000) {
            if (size < 11) return std::nullopt;
            data = u32(at + 7);
            if (type == 0x74 && (flags & 0x100)) {
                if (size < 32 + 4) return std::nullopt;
                data |= u32(at + 32) << 32;
            }
        }
        std::size_t end = at + size;
        if (type == 0x7b) return b.size() - end;
        if (data > b.size() - end) return std::nullopt;
        at = end + static_cast<std::size_t>(data);
    }
    return std::size_t{0};
}
Rar5Encryption rar5_encryption(std::string_view b, std::uint64_t max_headers) {
    Rar5Encryption out;
    std::size_t at = 8;   // after the signature
    for (std::uint64_t n = 0; at < b.size(); ++n) {
        std::uint64_t size = 0, type = 0, flags = 0, extra = 0, data = 0;
        std::size_t p = at + 4;   // after the header CRC
        if (n > max_headers || p > b.size() || !vint(b, p, b.size(), size) || size > b.size() - p) {
            out.readable = false;
            return out;
        }
        std::size_t end = p + static_cast<std::size_t>(size);
        if (!vint(b, p, end, type) || !vint(b, p, end, flags) || ((flags & 1) && !vint(b, p, end, extra)) ||
            ((flags & 2) && !vint(b, p, end, data)) || extra > end - p) {
            out.readable = false;
            return out;
        }
        if (type == 4) {
            out.headers = true;
            return out;
        }
        if (type == 2) {
            bool encrypted = false;
            for (std::size_t r = end - static_cast<std::size_t>(extra); r < end;) {
                std::uint64_t rsize = 0, rtype = 0;
                std::size_t q = r;
                if (!vint(b, q, end, rsize) || rsize > end - q) break;
                std::size_t rend = q + static_cast<std::size_t>(rsize);
                if (vint(b, q, rend, rtype) && rtype == 1) encrypted = true;
                r = rend;
            }
            out.files.push_back(encrypted);
        }
        if (type == 5) {   // end of archive: nothing may follow it
            out.trailing = b.size() - end;
            return out;
        }
        if (data > b.size() - end) {
            out.readable = false;
            return out;
        }
        at = end + static_cast<std::size_t>(data);
    }
    return out;
}

// The path of an entry as we compare it for duplicates: parts without "." and empty ones.
std::string path_key(std::string_view path) {
    std::string out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (!part.empty() && part != ".") {
            if (!out.empty()) out += '/';
            out += part;
        }
        start = end + 1;
    }
    return out;
}

}  // namespace

struct PackedReader::Impl {
    std::string_view bytes;
    Packed format;
    Context& ctx;
    Utf8Locale locale;
    ::archive* a = nullptr;
    std::uint64_t entries = 0;
    std::uint64_t max_entries = kMaxEntries;
    std::uint64_t tar_entries = 0;      // what our own walk of a tar counted
    Rar5Encryption rar5;                // RAR 5 only
    bool is_rar5 = false;
    std::size_t rar5_files = 0;
    std::uint64_t total_read = 0;       // all data read from this archive
    std::uint64_t declared_total = 0;
    std::set<std::string> seen;         // path keys, for duplicates
    bool at_end = false;
    bool opened = false;   // libarchive found its format (some of its calls crash before that)

    Impl(std::string_view b, Packed f, Context& c) : bytes(b), format(f), ctx(c) {}
    ~Impl() {
        if (a) archive_read_free(a);
    }

    [[noreturn]] void fatal(const std::string& what) {
        // A 7z with encrypted headers cannot even be listed; other encrypted formats fail at data.
        std::string e = error_of(a);
        // archive_read_has_encrypted_entries dereferences the format, which a failed open never set.
        if ((opened && archive_read_has_encrypted_entries(a) > 0) || e.find("ncrypt") != std::string::npos)
            throw SanitizeError(reason::encrypted, what + ": " + e);
        throw SanitizeError(reason::malformed, what + ": " + e);
    }
};

PackedReader::PackedReader(std::string_view bytes, Packed format, Context& ctx)
    : impl_(std::make_unique<Impl>(bytes, format, ctx)) {
    Impl& m = *impl_;
    m.max_entries = std::min<std::uint64_t>(kMaxEntries, ctx.limits().max_members);
    if (format == Packed::sevenzip) check_7z_end(bytes);
    if (format == Packed::tar) {
        TarWalk w = walk_tar(bytes, m.max_entries * 4);
        if (!w.problem.empty()) {
            if (w.ambiguous) {
                ctx.add("archive.ambiguous", Action::blocked, w.problem,
                        "TAR書庫の構造があいまいで、読み取り方によって中身が変わるおそれがあります。");
                throw SanitizeError(reason_ambiguous, "tar: " + w.problem);
            }
            throw SanitizeError(w.problem.starts_with("more than") ? reason::limit_members : reason::malformed,
                                "tar: " + w.problem);
        }
        m.tar_entries = w.entries;
    }

    if (format == Packed::rar && bytes.starts_with(std::string_view("Rar!\x1a\x07\x01\x00", 8))) {
        m.is_rar5 = true;
        m.rar5 = rar5_encryption(bytes, m.max_entries * 4);
        if (m.rar5.headers) throw SanitizeError(reason::encrypted, "RAR 5 with encrypted headers");
        if (!m.rar5.readable) throw SanitizeError(reason::malformed, "RAR 5: the header chain cannot be followed");
        if (m.rar5.trailing)
            throw SanitizeError(reason_ambiguous, "RAR: " + std::to_string(m.rar5.trailing) + " bytes after the end of the archive");
    } else if (format == Packed::rar) {
        auto trailing = rar4_trailing(bytes, m.max_entries * 4);
        if (!trailing) throw SanitizeError(reason::malformed, "RAR 4: the block chain cannot be followed");
        if (*trailing)
            throw SanitizeError(reason_ambiguous, "RAR: " + std::to_string(*trailing) + " bytes after the end of the archive");
    }

    InLocale in(m.locale);
    m.a = archive_read_new();
    if (!m.a) throw std::bad_alloc();
    // One format, no filter: nothing else can bid for these bytes, and no external program can run.
    int r = ARCHIVE_FATAL;
    switch (format) {
    case Packed::sevenzip: r = archive_read_support_format_7zip(m.a); break;
    case Packed::rar:
        r = archive_read_support_format_rar(m.a);
        if (r == ARCHIVE_OK) r = archive_read_support_format_rar5(m.a);
        break;
    case Packed::lzh: r = archive_read_support_format_lha(m.a); break;
    case Packed::tar: r = archive_read_support_format_tar(m.a); break;
    }
    if (r != ARCHIVE_OK) throw SanitizeError(reason::internal, "libarchive: " + error_of(m.a));
    // LHA and RAR 4 names without a Unicode form are in the sender's code page: CP932 for Japanese
    // Windows tools (LHA's native platform). 7z, RAR 5 and pax names are Unicode by definition; ustar
    // names are raw bytes, decoded below.
    if (format == Packed::lzh || format == Packed::rar) {
        const char* option = format == Packed::lzh ? "lha:hdrcharset=CP932" : "rar:hdrcharset=CP932";
        if (archive_read_set_options(m.a, option) != ARCHIVE_OK)
            throw SanitizeError(reason::unsupported, "no CP932 conversion on this system: " + error_of(m.a));
    }
    if (archive_read_open_memory(m.a, bytes.data(), bytes.size()) != ARCHIVE_OK) m.fatal("cannot open the archive");
    m.opened = true;
}

PackedReader::~PackedReader() = default;

std::optional<PackedEntry> PackedReader::next() {
    Impl& m = *impl_;
    if (m.at_end) return std::nullopt;
    m.ctx.check_time();
    InLocale in(m.locale);
    ::archive_entry* e = nullptr;
    int r = archive_read_next_header(m.a, &e);
    if (r == ARCHIVE_EOF) {
        m.at_end = true;
        if (m.is_rar5 && m.rar5_files != m.rar5.files.size())
            throw SanitizeError(reason_ambiguous, "libarchive lists fewer RAR 5 entries than there are file headers");
        if (m.format == Packed::tar && m.entries != m.tar_entries)
            throw SanitizeError(reason_ambiguous, "libarchive reads " + std::to_string(m.entries) + " tar entries, " +
                                                      std::to_string(m.tar_entries) + " headers were found");
        if (m.format == Packed::lzh) {
            // What follows the last entry is the format's end mark: zeros; nothing else may hide there.
            auto consumed = archive_filter_bytes(m.a, 0);
            if (consumed >= 0 && static_cast<std::uint64_t>(consumed) <= m.bytes.size()) {
                std::string_view rest = m.bytes.substr(static_cast<std::size_t>(consumed));
                if (rest.find_first_not_of('\0') != std::string_view::npos)
                    throw SanitizeError(reason_ambiguous, "LZH: " + std::to_string(rest.size()) +
                                                              " bytes after the end of the archive");
            }
        }
        return std::nullopt;
    }
    // A warning means libarchive worked around something (skipped damaged bytes, a name it could not
    // convert, a malformed pax record): another reader may not, so the archive means more than one thing.
    // libarchive's RAR 4 reader lists an encrypted entry with a warning ("RAR encryption support
    // unavailable"): that entry is held as encrypted, which is no ambiguity.
    bool encrypted_warning = r == ARCHIVE_WARN && e && archive_entry_is_encrypted(e);
    if (r == ARCHIVE_WARN && !encrypted_warning) {
        std::string w = error_of(m.a);
        m.ctx.add("archive.ambiguous", Action::blocked, w,
                  "書庫の構造に不正な部分があり、読み取り方によって中身が変わるおそれがあります。");
        throw SanitizeError(reason_ambiguous, "libarchive: " + w);
    }
    if (r != ARCHIVE_OK) m.fatal("cannot read an entry header");
    if (++m.entries > m.max_entries)
        throw SanitizeError(reason::limit_members, "more than " + std::to_string(m.max_entries) + " entries");

    PackedEntry out;
    const char* raw = archive_entry_pathname(e);
    std::string path = raw ? zip::decode_name(raw, false) : std::string();
    // LHA came from MS-DOS: a backslash left after CP932 decoding separates folders.
    if (m.format == Packed::lzh) std::replace(path.begin(), path.end(), '\\', '/');
    out.shown = path.size() <= 200 ? path : zip::shown_name(path, true, 200);
    if (out.shown.empty()) out.shown = "(名前なし)";

    switch (archive_entry_filetype(e)) {
    case AE_IFREG: out.kind = PackedEntry::Kind::file; break;
    case AE_IFDIR: out.kind = PackedEntry::Kind::directory; break;
    case AE_IFLNK: out.kind = PackedEntry::Kind::symlink; break;
    default: out.kind = PackedEntry::Kind::special; break;
    }
    if (archive_entry_hardlink(e)) out.kind = PackedEntry::Kind::hardlink;
    // Old tar marks a folder only by its trailing slash.
    if (out.kind == PackedEntry::Kind::file && !path.empty() && path.back() == '/') out.kind = PackedEntry::Kind::directory;
    out.sparse = archive_entry_sparse_count(e) > 0;
    out.encrypted = archive_entry_is_encrypted(e) != 0;
    if (m.is_rar5) {
        std::size_t i = m.rar5_files++;
        if (i >= m.rar5.files.size())
            throw SanitizeError(reason_ambiguous, "libarchive lists more RAR 5 entries than there are file headers");
        out.encrypted = out.encrypted || m.rar5.files[i];
    }
    if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0)
        out.declared_size = static_cast<std::uint64_t>(archive_entry_size(e));
    if (archive_entry_mtime_is_set(e)) out.mtime = archive_entry_mtime(e);
    out.path = std::move(path);

    // One path, one entry: tar appends a new version of a file after the old one (tar -r), and which
    // of the two a reader keeps is its own choice.
    if (!out.path.empty()) {
        std::string key = path_key(out.path);
        if (!key.empty() && !m.seen.insert(key).second) {
            m.ctx.add("archive.duplicate", Action::blocked, "duplicate entry " + out.shown,
                      "書庫内に同じ名前のファイルが複数あります。", out.shown);
            throw SanitizeError(reason_ambiguous, "duplicate entry " + out.shown);
        }
    }
    if (out.kind == PackedEntry::Kind::file && out.declared_size && !out.sparse) {
        std::uint64_t limit = std::min(kMaxMemberBytes, m.ctx.limits().max_expanded_bytes);
        if (*out.declared_size > limit)
            throw SanitizeError(reason::limit_size, out.shown + " declares " + std::to_string(*out.declared_size) + " bytes");
        m.declared_total += *out.declared_size;
        std::uint64_t ratio = m.ctx.limits().max_ratio;
        if (m.declared_total > kRatioFloor && m.declared_total / std::max<std::uint64_t>(m.bytes.size(), 1) > ratio)
            throw SanitizeError(reason::limit_ratio, "the archive declares an overall ratio over " + std::to_string(ratio));
    }
    return out;
}

std::string PackedReader::read(const PackedEntry& entry) { return drain(entry, true); }

void PackedReader::skip(const PackedEntry& entry) {
    // Encrypted data cannot be decompressed; a sparse file's holes would only be made up: libarchive
    // skips the bytes stored for both without producing anything.
    if (!entry.encrypted && !entry.sparse) drain(entry, false);
}

std::string PackedReader::drain(const PackedEntry& entry, bool keep) {
    Impl& m = *impl_;
    InLocale in(m.locale);
    const Limits& limits = m.ctx.limits();
    std::uint64_t limit = std::min(kMaxMemberBytes, limits.max_expanded_bytes);
    std::uint64_t overall_cap = std::max(kRatioFloor, static_cast<std::uint64_t>(m.bytes.size()) * limits.max_ratio);
    std::string out;
    std::uint64_t produced = 0;
    if (keep && entry.declared_size) out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*entry.declared_size, 64ull << 20)));
    char buf[65536];
    for (;;) {
        m.ctx.check_time();
        la_ssize_t n = archive_read_data(m.a, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (entry.encrypted)
                throw SanitizeError(reason::encrypted, entry.shown + ": " + error_of(m.a));
            throw SanitizeError(reason::malformed, "cannot decompress " + entry.shown + ": " + error_of(m.a));
        }
        produced += static_cast<std::uint64_t>(n);
        if (keep) out.append(buf, static_cast<std::size_t>(n));
        std::uint64_t total = m.total_read + produced;
        if (entry.declared_size && produced > *entry.declared_size)
            throw SanitizeError(reason_ambiguous, entry.shown + " expands to more than its declared " +
                                                      std::to_string(*entry.declared_size) + " bytes");
        if (produced > limit)
            throw SanitizeError(reason::limit_size, entry.shown + " is larger than " + std::to_string(limit) + " bytes");
        if (keep && produced > m.ctx.budget().expanded_left())
            throw SanitizeError(reason::limit_expanded, "expanded data exceeds " + std::to_string(limits.max_expanded_bytes) + " bytes");
        if (total > overall_cap)
            throw SanitizeError(reason::limit_ratio, "the archive expands more than " + std::to_string(limits.max_ratio) +
                                                         " times its size");
    }
    if (entry.declared_size && produced != *entry.declared_size)
        throw SanitizeError(reason_ambiguous, entry.shown + " expands to " + std::to_string(produced) +
                                                  " bytes, not its declared " + std::to_string(*entry.declared_size));
    m.total_read += produced;
    return out;
}

}  // namespace mugaika::archive
