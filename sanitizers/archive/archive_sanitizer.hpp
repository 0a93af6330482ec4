#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Archives (zip, 7z, RAR, LZH, tar) to a new zip holding only the members that came out of the engine clean, under
// safe relative paths. Encrypted members (PPAP) are opened only with passwords a person supplied for
// the item (Context::secrets()); the rebuilt zip is never encrypted. See docs/archive.md.
std::shared_ptr<const Sanitizer> make_archive_sanitizer();

// Single compressed files (gzip, bzip2, xz, LZMA): decompressed, their content disarmed and released
// under its inner name (x.csv.gz -> x.csv; data.tar.gz -> data.zip through the tar). See docs/archive.md.
std::shared_ptr<const Sanitizer> make_compressed_sanitizer();

}  // namespace mugaika
