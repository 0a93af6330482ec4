// HEIC/HEIF (iPhone photos) with libheif, decoding with libde265 only (named explicitly, so libheif's
// other built-in decoders, AV1 through libaom and dav1d, never run), tiles decoded in the calling
// thread. libheif applies the container's rotation, mirroring and cropping itself.
#pragma once

#include <string_view>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct DecodedHeif {
    Raster image;   // RGB or RGBA, upright
    SourceFacts facts;
};

// Throws SanitizeError: malformed, unsupported (not HEVC-coded, e.g. AVIF), limit.pixels, limit.memory.
DecodedHeif decode_heif(std::string_view bytes, const ImageLimits& limits);

}  // namespace mugaika::image
