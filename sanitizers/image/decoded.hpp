// What a decoder hands to the rebuild: pixels, the few facts that decide how they are written again
// (orientation, colour profile, resolution), and a list of everything else the input carried, which
// is reported and dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "raster.hpp"

namespace mugaika::image {

// Bounds checked against what a header declares, before any pixel buffer exists.
struct ImageLimits {
    std::uint64_t max_pixels = 120'000'000;   // one image, or all frames of an animation together
    std::uint32_t max_frames = 1000;          // frames of an animation, pages of a TIFF
    std::function<void()> check_time;         // the engine's time budget; may be empty

    void tick() const {
        if (check_time) check_time();
    }
};

// Throws SanitizeError: malformed for a zero or absurd size, limit.pixels over max_pixels.
void check_dimensions(std::uint64_t width, std::uint64_t height, const ImageLimits& limits, std::string_view what);
// Throws SanitizeError(limit.frames) over max_frames.
void check_frames(std::uint64_t frames, const ImageLimits& limits, std::string_view what);

// Resolution in dots per inch, when the input said so (scans are printed at their size).
struct Density {
    double x = 0, y = 0;
    bool known() const { return x > 0 && y > 0; }
};

struct SourceFacts {
    std::string exif;                  // EXIF as found, starting with "Exif\0\0" (read for orientation, date, GPS)
    std::string icc;                   // ICC colour profile
    std::vector<std::string> dropped;  // what the input carried besides pixels: "EXIF", "XMP", "comment", "tEXt", ...
    std::uint64_t trailing_bytes = 0;  // bytes after the format's end marker
    bool oriented = false;             // the decoder already applied the orientation (TIFF, HEIF)
    int orientation = 1;               // an orientation the format stores outside EXIF (TIFF tag); 1 = none
    Density density;
    std::uint32_t frames = 1;          // frames or images in the input
    std::string frames_note;           // what was done with the others, when there were others

    void drop(std::string what);       // records it once
};

}  // namespace mugaika::image
