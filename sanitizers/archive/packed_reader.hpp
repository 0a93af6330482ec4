// A bounded reader of the archive formats other than zip, through libarchive from memory: 7z, RAR (4
// and 5), LZH and tar. Exactly one format is enabled per detected type and no decompression filter
// at all, so libarchive can neither take the bytes for another format nor start an external program
// (it would for lrzip, lzop, grzip... when a filter has no library): compressed streams (gzip, bzip2,
// xz) are opened by stream.hpp before a tar inside them ever reaches this reader.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mugaika/sanitizer.hpp"

namespace mugaika::archive {

// The archive's structure can be read in more than one way (duplicate paths, data after the end,
// headers libarchive had to guess about, two names for one entry).
inline constexpr std::string_view reason_ambiguous = "archive.ambiguous";

enum class Packed { sevenzip, rar, lzh, tar };

// The format of a detected type id ("7z", "rar", "lzh", "tar"), or nullopt.
std::optional<Packed> packed_format(std::string_view type_id);

struct PackedEntry {
    enum class Kind { file, directory, symlink, hardlink, special };
    Kind kind = Kind::file;
    std::string path;       // the name as UTF-8 with '/' between folders ("" when it could not be read)
    std::string shown;      // the same for messages: at most 200 bytes
    bool sparse = false;    // a sparse file: its holes would be made up by the reader
    bool encrypted = false; // data (or metadata) encrypted: libarchive 3.6.2 decrypts none of these formats
    std::optional<std::uint64_t> declared_size;
    std::time_t mtime = 0;
};

class PackedReader {
public:
    // Checks what can be checked before anything is read (the format's own end, for 7z; the whole
    // header chain, for tar) and opens libarchive. Throws SanitizeError: malformed, encrypted (a 7z
    // whose headers are encrypted), archive.ambiguous, unsupported (a charset this system cannot convert).
    PackedReader(std::string_view bytes, Packed format, Context& ctx);
    ~PackedReader();
    PackedReader(const PackedReader&) = delete;
    PackedReader& operator=(const PackedReader&) = delete;

    // The next entry, or nullopt at the end of the archive (where the format's end is checked: no
    // data after it). Entries are counted against the member limit, directories and links included.
    std::optional<PackedEntry> next();
    // The current entry's data, counted as it is produced: the member limit (256 MiB and
    // max_expanded_bytes), what the budget has left, the archive's overall ratio, its declared size
    // (more or less is archive.ambiguous) and the time budget between blocks. Solid 7z and RAR streams
    // are decompressed block by block under the same bounds. Throws SanitizeError.
    std::string read(const PackedEntry& entry);
    // Reads past an entry that is held without being used, under the same bounds (a held member of a
    // solid stream still has to be decompressed to reach the next one). Encrypted and sparse entries
    // are left to libarchive, which skips their stored bytes without producing anything.
    void skip(const PackedEntry& entry);

private:
    std::string drain(const PackedEntry& entry, bool keep);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mugaika::archive
