#include "safe_zip.hpp"

#include <sys/stat.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "../text/charset.hpp"
#include "mugaika/reasons.hpp"
#include "zip_structure.hpp"

namespace mugaika::zip {

ZipLimits ZipLimits::from(const Limits& limits) {
    ZipLimits z;
    z.max_entries = std::min<std::uint32_t>(z.max_entries, limits.max_members);
    z.max_total_bytes = limits.max_expanded_bytes;
    z.max_entry_bytes = std::min(z.max_entry_bytes, limits.max_expanded_bytes);
    z.max_ratio = limits.max_ratio;
    return z;
}

std::string decode_name(std::string_view raw, bool utf8_flag) {
    // Bit 11 or not, a name that is valid UTF-8 is UTF-8 (macOS and Info-ZIP seldom set the flag);
    // CP932 bytes are rarely valid UTF-8, so the order tells the two apart.
    if (charset::is_valid_utf8(raw)) return std::string(raw);
    if (!utf8_flag)
        if (auto cp932 = charset::decode(raw, "Shift_JIS")) return *cp932;
    return charset::decode_lenient(raw, "UTF-8").value_or("_");
}

std::string shown_name(std::string_view raw, bool utf8_flag, std::size_t max_bytes) {
    std::string s = decode_name(raw, utf8_flag);
    if (s.size() <= max_bytes) return s;
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

std::string name_problem(std::string_view name, std::size_t max_bytes) {
    if (name.empty()) return "empty name";
    if (name.size() > max_bytes) return "name longer than " + std::to_string(max_bytes) + " bytes";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return "control character in name";
    if (name.find('\\') != std::string_view::npos) return "backslash in name";
    if (name.front() == '/') return "absolute path";
    if (name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0])))
        return "drive letter";
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        if (name.substr(start, end - start) == "..") return "parent directory (..) in name";
        start = end + 1;
    }
    return {};
}

namespace {

std::string fold(std::string_view name) {
    std::string k(name);
    for (char& c : k) {
        if (c == '\\') c = '/';
        else c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return k;
}

// The bounds one read works under.
struct Bounds {
    std::uint64_t limit;         // this entry, inflated
    std::uint64_t ratio_cap;     // this entry, by its compressed size
    std::uint64_t overall_cap;   // all reads, by the archive's size
    std::uint64_t max_total;     // all reads
    std::uint64_t total_before;  // what earlier reads took
    std::uint32_t max_ratio;
    bool charge;                 // charge the budget as we go, or only check that it would hold
};

// Inflates an opened entry, stopping at the first bound it crosses.
std::string drain(zip_file_t* f, const Entry& entry, Context& ctx, const Bounds& b) {
    std::string out;
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({entry.declared_size, b.limit, 64ull << 20})));
    char buf[65536];
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, sizeof buf);
        if (n < 0) throw SanitizeError(reason::malformed, "cannot inflate " + entry.shown + " (corrupt data or CRC)");
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        std::uint64_t total = b.total_before + out.size();
        if (b.charge) ctx.budget().charge_expanded(static_cast<std::uint64_t>(n));
        else if (out.size() > ctx.budget().expanded_left())
            throw SanitizeError(reason::limit_expanded, "expanded data exceeds " +
                                                            std::to_string(ctx.limits().max_expanded_bytes) + " bytes");
        if (out.size() > entry.declared_size)
            throw SanitizeError(reason_ambiguous, entry.shown + " inflates to more than its declared " +
                                                      std::to_string(entry.declared_size) + " bytes");
        if (out.size() > b.limit)
            throw SanitizeError(reason::limit_size, entry.shown + " is larger than " + std::to_string(b.limit) + " bytes");
        if (out.size() > b.ratio_cap)
            throw SanitizeError(reason::limit_ratio, entry.shown + " expands more than " +
                                                         std::to_string(b.max_ratio) + " times");
        if (total > b.overall_cap)
            throw SanitizeError(reason::limit_ratio, "the archive expands more than " +
                                                         std::to_string(b.max_ratio) + " times overall");
        if (total > b.max_total)
            throw SanitizeError(reason::limit_expanded, "inflated data exceeds " + std::to_string(b.max_total));
    }
    if (out.size() != entry.declared_size)
        throw SanitizeError(reason_ambiguous, entry.shown + " inflates to " + std::to_string(out.size()) +
                                                  " bytes, not its declared " + std::to_string(entry.declared_size));
    return out;
}

using FilePtr = std::unique_ptr<zip_file_t, int (*)(zip_file_t*)>;
using ArchivePtr = std::unique_ptr<zip_t, void (*)(zip_t*)>;

// The CRC-32 of what `password` decrypts an entry to (libzip refusing the CRC at the very end), or
// nullopt when libzip refuses the key or more comes out than the entry declares.
std::optional<uLong> crc_of_decrypted(zip_t* archive, const Entry& entry, const std::string& password, Context& ctx) {
    FilePtr f(zip_fopen_index_encrypted(archive, entry.index, 0, password.c_str()), zip_fclose);
    if (!f) {
        zip_error_clear(archive);
        return std::nullopt;
    }
    uLong crc = crc32_z(0L, Z_NULL, 0);
    std::uint64_t total = 0;
    char buf[65536];
    for (zip_int64_t n; (n = zip_fread(f.get(), buf, sizeof buf)) > 0;) {
        ctx.check_time();
        total += static_cast<std::uint64_t>(n);
        if (total > entry.declared_size) return std::nullopt;
        crc = crc32_z(crc, reinterpret_cast<const Bytef*>(buf), static_cast<z_size_t>(n));
    }
    return crc;
}

void put_u32(std::string& bytes, std::uint64_t at, uLong v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

struct SafeZip::Impl {
    zip_source_t* source = nullptr;
    zip_t* archive = nullptr;
    std::string_view bytes;
    // Where each entry's CRC is written: local header (unless a data descriptor holds it), central record.
    struct CrcAt {
        std::uint64_t local;
        std::uint64_t central;
        bool descriptor;
    };
    std::vector<CrcAt> crc_at;
    std::string patched;   // a private copy of the archive for WinZip AE-2 entries (see read_encrypted)
    ~Impl() {
        if (archive) zip_discard(archive);
        else if (source) zip_source_free(source);
    }
};

SafeZip::SafeZip(std::string_view bytes, const ZipLimits& limits, Context& ctx, const ZipOptions& options)
    : impl_(std::make_unique<Impl>()), limits_(limits), options_(options), archive_bytes_(bytes.size()) {
    impl_->bytes = bytes;
    RawZip raw;
    StructureError err;
    bool too_many = false;
    if (!parse_structure(bytes, limits.max_entries, raw, err, too_many)) {
        // The detail may quote a name in any encoding: a report holds only UTF-8.
        std::string detail = charset::decode_lenient(err.detail, "UTF-8").value_or("structure error");
        if (too_many) throw SanitizeError(reason::limit_members, "zip with " + detail);
        if (err.ambiguous) {
            ctx.add("zip.ambiguous", Action::blocked, detail,
                    "ZIPの構造が曖昧で、読み取り方によって中身が変わるおそれがあります。");
            throw SanitizeError(reason_ambiguous, detail);
        }
        throw SanitizeError(reason::malformed, "zip: " + detail);
    }

    std::map<std::string, std::string> seen;   // folded name -> first raw name
    std::uint64_t declared_total = 0;
    for (std::size_t i = 0; i < raw.entries.size(); ++i) {
        const RawEntry& r = raw.entries[i];
        std::string shown = shown_name(r.name, r.flags & 0x0800);
        bool encrypted = (r.flags & 0x0041) || r.method == 99;
        if (encrypted && !options.allow_encrypted)
            throw SanitizeError(reason::encrypted, "encrypted zip entry " + shown);
        // WinZip AES keeps the real method in its own extra field: checked once libzip has read it.
        if (!(encrypted && r.method == 99) && r.method != 0 && r.method != 8)
            throw SanitizeError(reason::unsupported, "zip compression method " + std::to_string(r.method) + " in " + shown);
        // Declared sizes are not trusted for reading, but a declared bomb is reason enough to stop early.
        if (r.size > limits.max_entry_bytes)
            throw SanitizeError(reason::limit_size, shown + " declares " + std::to_string(r.size) + " bytes");
        if (r.size > limits.ratio_floor && r.size / std::max<std::uint64_t>(r.compressed_size, 1) > limits.max_ratio) {
            ctx.add("zip.ratio", Action::blocked, shown + " declares a ratio over " + std::to_string(limits.max_ratio), 
                    "圧縮率が異常に高いファイル(圧縮爆弾の疑い)が含まれています。", shown);
            throw SanitizeError(reason::limit_ratio, shown + " declares a compression ratio over " + std::to_string(limits.max_ratio));
        }
        declared_total += r.size;
        impl_->crc_at.push_back({r.local_offset + 14, r.central_offset + 16, (r.flags & 0x0008) != 0});
        auto [it, fresh] = seen.emplace(fold(r.name), shown);
        if (!fresh) {
            std::string detail = it->second == shown ? "duplicate entry " + shown
                                                      : "entries differing only in case or slashes: " + it->second + ", " + shown;
            ctx.add("zip.duplicate", Action::blocked, detail, "ZIP内に同じ名前のファイルが複数あります。", shown);
            throw SanitizeError(reason_ambiguous, detail);
        }
        Entry e;
        e.index = i;
        e.name = r.name;
        e.path = options.decode_names ? decode_name(r.name, r.flags & 0x0800) : r.name;
        e.shown = shown;
        e.compressed_size = r.compressed_size;
        e.declared_size = r.size;
        e.crc = r.crc;
        e.method = r.method;
        e.encrypted = encrypted;
        e.directory = !r.name.empty() && r.name.back() == '/';
        if (auto problem = name_problem(e.path, limits.max_name_bytes); !problem.empty()) {
            e.unsafe_name = true;
            ctx.add("zip.name", Action::removed, problem + ": " + shown,
                    "ZIP内に危険なファイル名(親ディレクトリ参照や絶対パスなど)があり、取り除きました。", "");
        }
        entries_.push_back(std::move(e));
    }

    if (declared_total > limits.ratio_floor &&
        declared_total / std::max<std::uint64_t>(bytes.size(), 1) > limits.max_ratio)
        throw SanitizeError(reason::limit_ratio, "the archive declares an overall ratio over " + std::to_string(limits.max_ratio));

    // Now libzip may look. It must see exactly what we saw.
    zip_error_t error;
    zip_error_init(&error);
    impl_->source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!impl_->source) throw SanitizeError(reason::internal, "zip_source_buffer_create failed");
    impl_->archive = zip_open_from_source(impl_->source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!impl_->archive) {
        std::string detail = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw SanitizeError(reason::malformed, "libzip: " + detail);
    }
    zip_error_fini(&error);
    if (zip_get_num_entries(impl_->archive, 0) != static_cast<zip_int64_t>(entries_.size()))
        throw SanitizeError(reason_ambiguous, "libzip counts a different number of entries");
    for (auto& e : entries_) {
        const char* n = zip_get_name(impl_->archive, e.index, ZIP_FL_ENC_RAW);
        if (!n || e.name != n) throw SanitizeError(reason_ambiguous, "libzip reads a different name for " + e.shown);
        zip_stat_t st;
        if (zip_stat_index(impl_->archive, e.index, 0, &st) != 0)
            throw SanitizeError(reason::malformed, "libzip cannot stat " + e.shown);
        if (st.valid & ZIP_STAT_MTIME) e.mtime = st.mtime;
        if (e.encrypted && (!(st.valid & ZIP_STAT_COMP_METHOD) || (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)))
            throw SanitizeError(reason::unsupported, "zip compression method " +
                                                         std::to_string(st.valid & ZIP_STAT_COMP_METHOD ? st.comp_method : -1) +
                                                         " in encrypted " + e.shown);
        // Only Unix attributes say "symbolic link": its data is a path, not a file anyone sent.
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        if (zip_file_get_external_attributes(impl_->archive, e.index, 0, &opsys, &attributes) == 0 &&
            opsys == ZIP_OPSYS_UNIX) {
            auto kind = (attributes >> 16) & S_IFMT;
            e.special = kind != 0 && kind != S_IFREG && kind != S_IFDIR;
        }
    }
}

SafeZip::~SafeZip() = default;

const Entry* SafeZip::find(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name && !e.unsafe_name && !e.directory) return &e;
    return nullptr;
}

std::string SafeZip::read(const Entry& entry, Context& ctx, std::uint64_t max_bytes) {
    if (entry.encrypted) throw SanitizeError(reason::encrypted, "encrypted zip entry " + entry.shown);
    FilePtr f(zip_fopen_index(impl_->archive, entry.index, 0), zip_fclose);
    if (!f) throw SanitizeError(reason::malformed, "cannot open zip entry " + entry.shown);
    Bounds b{std::min(limits_.max_entry_bytes, max_bytes),
             std::max(limits_.ratio_floor, entry.compressed_size * limits_.max_ratio),
             std::max(limits_.ratio_floor, archive_bytes_ * limits_.max_ratio),
             limits_.max_total_bytes, total_read_, limits_.max_ratio, options_.charge_budget};
    std::string out = drain(f.get(), entry, ctx, b);
    total_read_ += out.size();
    return out;
}

std::string SafeZip::read_encrypted(const Entry& entry, const std::vector<std::string>& passwords, Context& ctx,
                                    std::size_t* used) {
    if (!entry.encrypted) throw SanitizeError(reason::internal, entry.shown + " is not encrypted");
    zip_stat_t st;
    if (zip_stat_index(impl_->archive, entry.index, 0, &st) != 0 || !(st.valid & ZIP_STAT_ENCRYPTION_METHOD) ||
        !zip_encryption_method_supported(st.encryption_method, 0))
        throw SanitizeError(reason::encrypted, "encryption method of " + entry.shown + " is not supported");
    // AE-2 stores no CRC: its HMAC (checked by libzip at the end of the data) stands in for it.
    bool aes = st.encryption_method == ZIP_EM_AES_128 || st.encryption_method == ZIP_EM_AES_192 ||
               st.encryption_method == ZIP_EM_AES_256;
    bool check_crc = !(aes && entry.crc == 0);
    // libzip 1.7.3 (Debian 12) still checks a CRC against the 0 that AE-2 writes (libzip issue #261),
    // so every such entry would fail. Pass one learns the CRC of what the key decrypts to; pass two
    // reads a private copy of the archive that carries it, where libzip's CRC check passes by
    // construction and its HMAC check alone decides, as the format intends.
    bool unstated_crc = aes && entry.crc == 0 && entry.declared_size > 0;
    Bounds b{limits_.max_entry_bytes,
             std::max(limits_.ratio_floor, entry.compressed_size * limits_.max_ratio),
             std::max(limits_.ratio_floor, archive_bytes_ * limits_.max_ratio),
             limits_.max_total_bytes, total_read_, limits_.max_ratio, false};   // only a proven result is charged
    for (std::size_t i = 0; i < passwords.size(); ++i) {
        ctx.check_time();
        const std::string& password = passwords[i];
        if (password.empty() || password.find('\0') != std::string::npos) continue;   // libzip takes a C string
        zip_t* archive = impl_->archive;
        ArchivePtr copy(nullptr, zip_discard);
        if (unstated_crc) {
            auto crc = crc_of_decrypted(impl_->archive, entry, password, ctx);
            if (!crc) continue;
            copy = patched_archive(entry, *crc);
            if (!copy) continue;
            archive = copy.get();
        }
        FilePtr f(zip_fopen_index_encrypted(archive, entry.index, 0, password.c_str()), zip_fclose);
        if (!f) {
            zip_error_clear(archive);   // wrong password (the check byte or AES verifier said so)
            continue;
        }
        std::string out;
        try {
            out = drain(f.get(), entry, ctx, b);
        } catch (const SanitizeError& e) {
            // Garbage from a wrong key fails to inflate, or inflates to another size: try the next one.
            // A limit is a limit whichever key crossed it: the right one would cross it too.
            if (e.code() == reason::malformed || e.code() == reason_ambiguous) continue;
            throw;
        }
        // The CRC is what exposes a wrong ZipCrypto key that passed the check byte on stored data.
        auto crc = crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()), out.size());
        if (check_crc && crc != entry.crc) continue;
        if (options_.charge_budget) ctx.budget().charge_expanded(out.size());
        total_read_ += out.size();
        if (used) *used = i;
        return out;
    }
    throw SanitizeError(reason::encrypted, "no supplied password opens " + entry.shown +
                                               " (wrong password or damaged data)");
}

std::unique_ptr<zip_t, void (*)(zip_t*)> SafeZip::patched_archive(const Entry& entry, unsigned long crc) {
    ArchivePtr none(nullptr, zip_discard);
    if (impl_->patched.empty()) impl_->patched.assign(impl_->bytes);
    const auto& at = impl_->crc_at.at(entry.index);
    if (!at.descriptor) put_u32(impl_->patched, at.local, crc);
    put_u32(impl_->patched, at.central, crc);
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(impl_->patched.data(), impl_->patched.size(), 0, &error);
    zip_error_fini(&error);
    if (!src) return none;
    zip_error_init(&error);
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    zip_error_fini(&error);
    if (!z) {
        zip_source_free(src);
        return none;
    }
    ArchivePtr out(z, zip_discard);
    const char* n = zip_get_name(z, entry.index, ZIP_FL_ENC_RAW);
    if (!n || entry.name != n) return none;
    return out;
}

}  // namespace mugaika::zip
