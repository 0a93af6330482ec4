// WebP with libwebp (single-threaded): still images decoded whole; an animation gives its first
// frame (with a finding). The container's EXIF and ICC are read, XMP and the rest dropped.
#pragma once

#include <string_view>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct DecodedWebp {
    Raster image;      // RGB or RGBA
    SourceFacts facts;
    bool lossless = false;
};

// Throws SanitizeError: malformed (damaged, truncated), limit.pixels, limit.frames.
DecodedWebp decode_webp(std::string_view bytes, const ImageLimits& limits);

}  // namespace mugaika::image
