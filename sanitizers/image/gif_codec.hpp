// GIF with giflib: every frame decoded to its palette indices (a GIF's pixels), written again as a
// fresh GIF89a with the same palettes, positions, delays, disposal and loop count, and nothing else:
// no comments, no application extensions but the loop count we write ourselves, no plain-text blocks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct GifFrame {
    std::uint32_t left = 0, top = 0, width = 0, height = 0;
    std::vector<std::uint8_t> indices;   // width x height, rows top to bottom
    std::vector<Rgba> palette;           // the frame's own colour table; empty: the global one
    int transparent = -1;                // palette index, or -1
    int delay_cs = 0;                    // 1/100 s
    int disposal = 0;                    // 0-3
};

struct GifAnimation {
    std::uint32_t width = 0, height = 0;   // the logical screen
    std::vector<Rgba> palette;             // global colour table
    int background = 0;
    int loop_count = -1;                   // -1: no loop extension
    std::vector<GifFrame> frames;
    SourceFacts facts;
};

// Frames, and all frames' pixels together, are checked against the limits as they are met.
// Throws SanitizeError: malformed (damaged, truncated, no frame), limit.pixels, limit.frames, limit.time.
GifAnimation decode_gif(std::string_view bytes, const ImageLimits& limits);

// `frames` = 0: all of them.
std::string encode_gif(const GifAnimation& gif, std::size_t frames = 0);

}  // namespace mugaika::image
