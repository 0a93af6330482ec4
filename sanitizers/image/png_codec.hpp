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

// zlib level of a PNG we write. Level 4 against libpng's usual 6, measured over Office pictures,
// photos and screenshots (docs/image.md, "PNG compression level"): 1.75-1.95x as fast for 2.5-7% more
// bytes. Deflating the filtered rows is most of a picture's rebuild, and 9 costs 6x the time of 6
// for 3-5% fewer bytes. A site that counts bytes over time sets [sanitizer.image] png_level.
inline constexpr int kDefaultPngLevel = 4;

struct PngEncodeOptions {
    std::string exif;     // TIFF-structured EXIF we built (no "Exif\0\0" prefix), or empty
    Density density;
    int compression = kDefaultPngLevel;  // zlib level, 1-9
    bool bilevel = false; // gray rows holding only 0 and 255: written with one bit per pixel
};

// Rows of any layout but bgrx; indexed rows need a palette of 1 to 256 entries.
std::string encode_png(RowSource& rows, const PngEncodeOptions& options);

}  // namespace mugaika::image
