// Single compressed streams: gzip, bzip2, xz and LZMA (.lzma), each opened with its own library
// (zlib, libbz2, liblzma) so that exactly one stream is read and whatever follows it is seen: a second
// gzip member, a second bzip2 or xz stream, or bytes after the end are read by some tools and not by
// others (archive.ambiguous). Output is counted as it is produced, never as declared.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mugaika/sanitizer.hpp"

namespace mugaika::archive {

enum class Stream { gzip, bzip2, xz, lzma };

// The stream of a detected type id ("gzip", "bzip2", "xz", "lzma"), or nullopt.
std::optional<Stream> stream_format(std::string_view type_id);

struct Decompressed {
    std::string bytes;
    std::string stored_name;   // gzip's FNAME as stored (raw bytes), empty when there is none
};

// Decompresses one stream within 256 MiB, what the budget has left (limit.expanded) and max_ratio
// times the input above 1 MiB (limit.ratio), checking the time budget between blocks. A gzip extra
// field that carries data, a second member or stream, and bytes after the end are
// archive.ambiguous; a damaged stream or a failed check (CRC, length) is malformed.
Decompressed decompress_stream(std::string_view in, Stream format, Context& ctx);

// The name the content goes by: `outer` (the safe name the item came under) without its compression
// extension (x.csv.gz -> x.csv, data.tgz -> data.tar). When the outer name has no such extension,
// the base name gzip stored (decoded: UTF-8, else CP932), else `outer` as it is. `noted` receives a
// sentence when the stored name was not used and differs.
std::string inner_name(std::string_view outer, Stream format, std::string_view stored_name, std::string* noted);

}  // namespace mugaika::archive
