// PNG with libpng: decoded to pixels (palette images keep their palette, 16-bit stays 16-bit),
// written again with only IHDR, PLTE/tRNS, pHYs, IDAT and IEND (and eXIf when "basic" metadata is kept).
#pragma once

#include <string>
#include <string_view>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct DecodedPng {
    Raster image;
    SourceFacts facts;
};

// Throws SanitizeError: malformed (damaged, truncated, bad CRC), limit.pixels, limit.time.
DecodedPng decode_png(std::string_view bytes, const ImageLimits& limits);

struct PngEncodeOptions {
    std::string exif;     // TIFF-structured EXIF we built (no "Exif\0\0" prefix), or empty
    Density density;
    int compression = 6;  // zlib level
    bool bilevel = false; // gray rows holding only 0 and 255: written with one bit per pixel
};

// Rows of any layout but bgrx; indexed rows need a palette of 1 to 256 entries.
std::string encode_png(RowSource& rows, const PngEncodeOptions& options);

}  // namespace mugaika::image
