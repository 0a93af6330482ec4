// Our own walk of a tar's 512-byte header chain before libarchive reads it (as zip/zip_structure does
// for zip), for what libarchive silently decides and other tar readers decide differently: header
// checksums, data sizes that a reader ignoring pax would take otherwise, two name sources for one
// entry (a GNU long name and a pax path), meta headers that apply to nothing, links and folders that
// carry data, and anything but zeros after the end of the archive (GNU tar -i reads on past it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mugaika::archive {

struct TarWalk {
    std::uint64_t entries = 0;   // real entries (files, folders, links, ...), meta headers not counted
    std::string problem;         // why the tar is ambiguous or malformed, or empty
    bool ambiguous = false;      // problem is an ambiguity (else: malformed)
};

// Walks at most `max_headers` headers.
TarWalk walk_tar(std::string_view bytes, std::uint64_t max_headers);

}  // namespace mugaika::archive
