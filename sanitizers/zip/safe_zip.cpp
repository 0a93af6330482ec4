#include "safe_zip.hpp"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <map>

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

}  // namespace

struct SafeZip::Impl {
    zip_source_t* source = nullptr;
    zip_t* archive = nullptr;
    ~Impl() {
        if (archive) zip_discard(archive);
        else if (source) zip_source_free(source);
    }
};

SafeZip::SafeZip(std::string_view bytes, const ZipLimits& limits, Context& ctx)
    : impl_(std::make_unique<Impl>()), limits_(limits), archive_bytes_(bytes.size()) {
    RawZip raw;
    StructureError err;
    bool too_many = false;
    if (!parse_structure(bytes, limits.max_entries, raw, err, too_many)) {
        if (too_many) throw SanitizeError(reason::limit_members, "zip with " + err.detail);
        if (err.ambiguous) {
            ctx.add("zip.ambiguous", Action::blocked, err.detail,
                    "ZIPの構造が曖昧で、読み取り方によって中身が変わるおそれがあります。");
            throw SanitizeError(reason_ambiguous, err.detail);
        }
        throw SanitizeError(reason::malformed, "zip: " + err.detail);
    }

    std::map<std::string, std::string> seen;   // folded name -> first raw name
    std::uint64_t declared_total = 0;
    for (std::size_t i = 0; i < raw.entries.size(); ++i) {
        const RawEntry& r = raw.entries[i];
        if ((r.flags & 0x0041) || r.method == 99)
            throw SanitizeError(reason::encrypted, "encrypted zip entry " + r.name);
        if (r.method != 0 && r.method != 8)
            throw SanitizeError(reason::unsupported, "zip compression method " + std::to_string(r.method) + " in " + r.name);
        // Declared sizes are not trusted for reading, but a declared bomb is reason enough to stop early.
        if (r.size > limits.max_entry_bytes)
            throw SanitizeError(reason::limit_size, r.name + " declares " + std::to_string(r.size) + " bytes");
        if (r.size > limits.ratio_floor && r.size / std::max<std::uint64_t>(r.compressed_size, 1) > limits.max_ratio) {
            ctx.add("zip.ratio", Action::blocked, r.name + " declares a ratio over " + std::to_string(limits.max_ratio), 
                    "圧縮率が異常に高いファイル(圧縮爆弾の疑い)が含まれています。", r.name);
            throw SanitizeError(reason::limit_ratio, r.name + " declares a compression ratio over " + std::to_string(limits.max_ratio));
        }
        declared_total += r.size;
        auto [it, fresh] = seen.emplace(fold(r.name), r.name);
        if (!fresh) {
            std::string detail = it->second == r.name ? "duplicate entry " + r.name
                                                      : "entries differing only in case or slashes: " + it->second + ", " + r.name;
            ctx.add("zip.duplicate", Action::blocked, detail, "ZIP内に同じ名前のファイルが複数あります。", r.name);
            throw SanitizeError(reason_ambiguous, detail);
        }
        Entry e;
        e.index = i;
        e.name = r.name;
        e.compressed_size = r.compressed_size;
        e.declared_size = r.size;
        e.method = r.method;
        e.directory = !r.name.empty() && r.name.back() == '/';
        if (auto problem = name_problem(r.name, limits.max_name_bytes); !problem.empty()) {
            e.unsafe_name = true;
            ctx.add("zip.name", Action::removed, problem + ": " + r.name.substr(0, 200),
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
    for (const auto& e : entries_) {
        const char* n = zip_get_name(impl_->archive, e.index, ZIP_FL_ENC_RAW);
        if (!n || e.name != n) throw SanitizeError(reason_ambiguous, "libzip reads a different name for " + e.name);
    }
}

SafeZip::~SafeZip() = default;

const Entry* SafeZip::find(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name && !e.unsafe_name && !e.directory) return &e;
    return nullptr;
}

std::string SafeZip::read(const Entry& entry, Context& ctx, std::uint64_t max_bytes) {
    std::uint64_t limit = std::min(limits_.max_entry_bytes, max_bytes);
    std::uint64_t ratio_cap = std::max(limits_.ratio_floor, entry.compressed_size * limits_.max_ratio);
    std::uint64_t overall_cap = std::max(limits_.ratio_floor, archive_bytes_ * limits_.max_ratio);

    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(impl_->archive, entry.index, 0), zip_fclose);
    if (!f) throw SanitizeError(reason::malformed, "cannot open zip entry " + entry.name);
    std::string out;
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({entry.declared_size, limit, 64ull << 20})));
    char buf[65536];
    for (;;) {
        zip_int64_t n = zip_fread(f.get(), buf, sizeof buf);
        if (n < 0) throw SanitizeError(reason::malformed, "cannot inflate " + entry.name + " (corrupt data or CRC)");
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        total_read_ += static_cast<std::uint64_t>(n);
        ctx.budget().charge_expanded(static_cast<std::uint64_t>(n));
        if (out.size() > entry.declared_size)
            throw SanitizeError(reason_ambiguous, entry.name + " inflates to more than its declared " +
                                                      std::to_string(entry.declared_size) + " bytes");
        if (out.size() > limit)
            throw SanitizeError(reason::limit_size, entry.name + " is larger than " + std::to_string(limit) + " bytes");
        if (out.size() > ratio_cap)
            throw SanitizeError(reason::limit_ratio, entry.name + " expands more than " +
                                                         std::to_string(limits_.max_ratio) + " times");
        if (total_read_ > overall_cap)
            throw SanitizeError(reason::limit_ratio, "the archive expands more than " +
                                                         std::to_string(limits_.max_ratio) + " times overall");
        if (total_read_ > limits_.max_total_bytes)
            throw SanitizeError(reason::limit_expanded, "inflated data exceeds " + std::to_string(limits_.max_total_bytes));
    }
    if (out.size() != entry.declared_size)
        throw SanitizeError(reason_ambiguous, entry.name + " inflates to " + std::to_string(out.size()) +
                                                  " bytes, not its declared " + std::to_string(entry.declared_size));
    return out;
}

}  // namespace mugaika::zip
