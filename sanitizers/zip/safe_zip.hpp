// A zip reader that distrusts the file: before libzip is allowed to inflate anything, our own walk of
// the end record, the central directory and every local header checks that the package means one
// thing only (no prefix or trailing data, no overlapping or disagreeing headers, no duplicate names)
// and that names, counts and sizes are within limits. Reads are bounded by what was actually inflated,
// never by what a header declares, and every inflated byte is charged to the item's budget.
// Reusable by any container built on zip (OOXML now, archives later).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/sanitizer.hpp"

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

struct Entry {
    std::uint64_t index = 0;            // libzip's index (central directory order)
    std::string name;                   // raw name bytes as stored
    std::uint64_t compressed_size = 0;
    std::uint64_t declared_size = 0;    // what the central directory claims; never trusted for reads
    std::uint16_t method = 0;
    bool directory = false;
    bool unsafe_name = false;           // traversal, absolute, backslash, drive, control chars, too long
};

class SafeZip {
public:
    // Validates the whole structure. Findings go to ctx (where = entry name); ambiguity throws
    // SanitizeError(zip.ambiguous), limits throw limit.*, encrypted entries throw encrypted, a zip
    // libzip cannot open throws malformed.
    SafeZip(std::string_view bytes, const ZipLimits& limits, Context& ctx);
    ~SafeZip();
    SafeZip(const SafeZip&) = delete;
    SafeZip& operator=(const SafeZip&) = delete;

    const std::vector<Entry>& entries() const { return entries_; }
    // Exact name lookup; nullptr when absent or when the name is unsafe.
    const Entry* find(std::string_view name) const;

    // Inflates one entry, stopping at max_entry_bytes, at the ratio limit, and when the inflated size
    // disagrees with the declared one (ambiguous). Charges the budget as it goes. `max_bytes` may lower
    // the per-entry limit for this read (e.g. XML parts).
    std::string read(const Entry& entry, Context& ctx, std::uint64_t max_bytes = UINT64_MAX);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<Entry> entries_;
    ZipLimits limits_;
    std::uint64_t archive_bytes_ = 0;
    std::uint64_t total_read_ = 0;
};

// Why a name is unsafe to use as a path, or empty when it is fine.
std::string name_problem(std::string_view name, std::size_t max_bytes);

}  // namespace mugaika::zip
