// Our own walk of a zip's records (end of central directory, zip64, central directory, local headers),
// independent of libzip, so that a package two readers would read differently is caught before
// anything is inflated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika::zip {

struct RawEntry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t size = 0;
    std::uint64_t local_offset = 0;
    std::uint64_t central_offset = 0;   // its central directory record
    std::uint64_t data_offset = 0;   // first byte of the compressed data (after the local header)
};

struct RawZip {
    std::vector<RawEntry> entries;
    std::uint64_t cd_offset = 0;
    std::uint64_t cd_size = 0;
};

// What made the structure ambiguous or unreadable: `ambiguous` is true for disagreements and hidden
// data, false for plain corruption.
struct StructureError {
    bool ambiguous = false;
    std::string detail;
};

// Parses the records. Returns false and fills `error` on the first problem. `max_entries` bounds the
// work before anything else is looked at.
bool parse_structure(std::string_view bytes, std::uint32_t max_entries, RawZip& out, StructureError& error,
                     bool& too_many_entries);

}  // namespace mugaika::zip
