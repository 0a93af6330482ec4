// Windows BMP, decoded by a small strict reader of our own. No Debian library decodes BMP without also
// bringing a loader we would not choose (gdk-pixbuf's dlopen'd modules, ImageMagick's coders, stb_image's
// try-every-format entry point), and BMP is a fixed header, a palette and rows of pixels: what this
// reader accepts is an allowlist (docs/image.md), everything else is "unsupported" or "malformed".
#pragma once

#include <string_view>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct DecodedBmp {
    Raster image;   // indexed (1, 4, 8 bits), RGB or RGBA
    SourceFacts facts;
};

// Throws SanitizeError: malformed, unsupported (embedded JPEG/PNG, OS/2 headers), limit.pixels, limit.time.
DecodedBmp decode_bmp(std::string_view bytes, const ImageLimits& limits);

}  // namespace mugaika::image
