// A zip reader that distrusts the file: before libzip is allowed to inflate anything, our own walk of
// the end record, the central directory and every local header checks that the package means one
// thing only (no prefix or trailing data, no overlapping or disagreeing headers, no duplicate names)
// and that names, counts and sizes are within limits. Reads are bounded by what was actually inflated,
// never by what a header declares, and every inflated byte is charged to the item's budget.
// Reusable by any container built on zip (OOXML now, archives later).
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/sanitizer.hpp"

struct zip;   // libzip's archive (zip_t), kept out of this header

namespace mugaika::zip {

// The package can be read in more than one way (polyglot, duplicate or disagreeing entries).
inline constexpr std::string_view reason_ambiguous = "zip.ambiguous";

struct ZipLimits {
    std::uint32_t max_entries = 10000;
    std::uint64_t max_entry_bytes = 256ull << 20;   // one entry, inflated
    std::uint64_t max_total_bytes = 1ull << 30;     // all entries read, inflated
    std::uint32_t max_ratio = 200;                  // inflated / compressed, per entry and overall
    std::uint64_t ratio_floor = 1ull << 20;         // ratios are only judged above this many bytes
    std::size_t max_name_bytes = 1024;

    // Derived from the engine's limits (max_ratio, max_members, max_expanded_bytes).
    static ZipLimits from(const Limits& limits);
};

// What a caller lets the reader do beyond the defaults, which are OOXML's: encrypted entries refused,
// names judged as the raw bytes they are, every inflated byte charged to the budget by the reader.
struct ZipOptions {
    // Encrypted entries are listed (Entry::encrypted) instead of refusing the whole zip; read() still
    // refuses them and read_encrypted() tries passwords. For archives whose password a person
    // supplied; an Office package is never decrypted.
    bool allow_encrypted = false;
    // Names without the UTF-8 flag that are not UTF-8 are decoded as CP932, which is what Japanese
    // Windows writes (a 0x5C inside a CP932 character is not a backslash); the checks then judge the
    // decoded name (Entry::path).
    bool decode_names = false;
    // The caller charges what it reads to the budget itself (Context::sanitize_child does): reads then
    // only check that they fit in what the budget has left, so no byte is counted twice.
    bool charge_budget = true;
};

struct Entry {
    std::uint64_t index = 0;            // libzip's index (central directory order)
    std::string name;                   // raw name bytes as stored
    std::string path;                   // the name as UTF-8 (decoded with ZipOptions::decode_names, else == name)
    std::string shown;                  // the name for messages and reports: always UTF-8, at most 200 bytes
    std::uint64_t compressed_size = 0;
    std::uint64_t declared_size = 0;    // what the central directory claims; never trusted for reads
    std::uint32_t crc = 0;              // CRC-32 the central directory claims (0 for WinZip AES AE-2)
    std::uint16_t method = 0;           // as stored (99 for WinZip AES; the real one is then in the AES field)
    std::time_t mtime = 0;              // as libzip reads it
    bool directory = false;
    bool unsafe_name = false;           // traversal, absolute, backslash, drive, control chars, too long
    bool encrypted = false;             // only ever true with ZipOptions::allow_encrypted
    bool special = false;               // a symbolic link, device or pipe by its Unix attributes
};

class SafeZip {
public:
    // Validates the whole structure. Findings go to ctx (where = entry name); ambiguity throws
    // SanitizeError(zip.ambiguous), limits throw limit.*, encrypted entries throw encrypted (unless
    // options.allow_encrypted), a zip libzip cannot open throws malformed.
    SafeZip(std::string_view bytes, const ZipLimits& limits, Context& ctx, const ZipOptions& options = {});
    ~SafeZip();
    SafeZip(const SafeZip&) = delete;
    SafeZip& operator=(const SafeZip&) = delete;

    const std::vector<Entry>& entries() const { return entries_; }
    // Exact name lookup; nullptr when absent or when the name is unsafe.
    const Entry* find(std::string_view name) const;

    // Inflates one entry, stopping at max_entry_bytes, at the ratio limit, and when the inflated size
    // disagrees with the declared one (ambiguous). Charges the budget as it goes. `max_bytes` may lower
    // the per-entry limit for this read (e.g. XML parts).
    // An encrypted entry throws encrypted.
    std::string read(const Entry& entry, Context& ctx, std::uint64_t max_bytes = UINT64_MAX);

    // Decrypts and inflates an encrypted entry with the first of `passwords` whose result proves
    // itself: the inflated size must be the declared one and the CRC-32 must match (WinZip AES AE-2,
    // which stores no CRC, is proven by its authentication code, which libzip checks; see
    // docs/archive.md for how libzip 1.7.3's CRC check of AE-2 is worked around). A password that
    // only passes ZipCrypto's check byte (1 in 256 wrong ones do) fails there. A wrong password and
    // damaged data look alike and are never told apart: when no password proves itself this throws
    // SanitizeError(encrypted) and nothing of the entry is returned. Limits apply as in read(); `used`
    // receives the index of the password that worked. Passwords never appear in errors or findings.
    std::string read_encrypted(const Entry& entry, const std::vector<std::string>& passwords, Context& ctx,
                               std::size_t* used = nullptr);

private:
    // libzip over a private copy of the archive in which `entry` carries `crc` (WinZip AE-2), or null.
    std::unique_ptr<::zip, void (*)(::zip*)> patched_archive(const Entry& entry, unsigned long crc);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<Entry> entries_;
    ZipLimits limits_;
    ZipOptions options_;
    std::uint64_t archive_bytes_ = 0;
    std::uint64_t total_read_ = 0;
};

// A zip name as UTF-8: as stored when it is UTF-8 (flagged or not), else CP932, else UTF-8 with
// U+FFFD for what cannot be read.
std::string decode_name(std::string_view raw, bool utf8_flag);
// decode_name cut to at most `max_bytes` on a character boundary: what a message may quote, because
// a report is JSON and JSON holds nothing but UTF-8.
std::string shown_name(std::string_view raw, bool utf8_flag, std::size_t max_bytes = 200);

// Why a name is unsafe to use as a path, or empty when it is fine.
std::string name_problem(std::string_view name, std::size_t max_bytes);

}  // namespace mugaika::zip
