// JPEG with libjpeg-turbo: decoded to pixels (strictly: a warning about damaged data is an error),
// written again as a fresh baseline JPEG with nothing of the input's markers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct JpegTraits {
    int quality = 0;            // estimated from the luminance quantisation table; 0 when unknown
    bool full_chroma = false;   // colour not subsampled (4:4:4)
    int components = 0;
};

// Reads the header only (up to the first scan). Never throws: an unreadable header gives {}.
JpegTraits read_jpeg_traits(std::string_view bytes);

struct DecodedJpeg {
    Raster image;               // gray or RGB (CMYK is converted, with its profile when there is one)
    SourceFacts facts;
    JpegTraits traits;
    std::string color_note;     // what happened to an embedded colour profile
};

// Throws SanitizeError: malformed (damaged, truncated), limit.pixels, limit.time, unsupported.
DecodedJpeg decode_jpeg(std::string_view bytes, const ImageLimits& limits);

struct JpegEncodeOptions {
    int quality = 90;
    bool full_chroma = false;   // 4:4:4 instead of 4:2:0
    bool gray = false;          // write one gray component (the rows may still be RGB)
    std::string exif;           // an APP1 payload we built ("Exif\0\0..."), or empty
    Density density;
};

// Rows must be gray, rgb or bgrx, 8 bits. Throws std::bad_alloc, or SanitizeError(internal).
std::string encode_jpeg(RowSource& rows, const JpegEncodeOptions& options);

// Decoded and encoded in one pass, one row of 8x8 blocks at a time, on the YCbCr samples as they
// come out of the inverse DCT (no colour conversion, no up- and down-sampling): the fast path for a
// JPEG that needs no turn and no colour profile applied. Returns nullopt when that does not apply
// (CMYK, RGB-coded, unusual sampling), before any pixel is decoded. The caller has already read the
// header (decode facts come from decode_jpeg's header pass); `trailing` gets the bytes after EOI.
// Throws like decode_jpeg.
std::optional<std::string> transcode_jpeg(std::string_view bytes, const ImageLimits& limits,
                                          const JpegEncodeOptions& options, std::uint64_t& trailing);

// Only the header: facts, traits and what the fast path needs to know. Throws like decode_jpeg.
struct JpegHeader {
    SourceFacts facts;
    JpegTraits traits;
    bool cmyk = false, gray = false;
};
JpegHeader read_jpeg_header(std::string_view bytes, const ImageLimits& limits);

// The quality to write for an input of estimated quality `estimated` (0: unknown): close to the
// original so that size and look stay close, within [floor, 95].
int pick_jpeg_quality(int estimated, int configured, int floor = 80);

}  // namespace mugaika::image
