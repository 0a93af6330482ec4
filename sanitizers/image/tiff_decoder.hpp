// TIFF with libtiff, read from memory (no file, no mapping): every full-size page decoded through
// libtiff's RGBA interface. Only the compressions and photometric interpretations on an allowlist are
// decoded (docs/image.md); JBIG, LZMA, ZSTD, WebP-in-TIFF, old-style JPEG and the rest are "unsupported".
#pragma once

#include <string_view>
#include <vector>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct TiffPage {
    Raster image;          // RGB(A) or gray, as stored (not yet turned)
    int orientation = 1;   // the page's Orientation tag
    Density density;
};

struct DecodedTiff {
    std::vector<TiffPage> pages;
    SourceFacts facts;
    bool gps = false;      // a GPS directory was present
    std::string date;      // the DateTime tag, when well formed
};

// Throws SanitizeError: malformed, unsupported, limit.pixels, limit.frames, limit.time.
DecodedTiff decode_tiff(std::string_view bytes, const ImageLimits& limits);

}  // namespace mugaika::image
