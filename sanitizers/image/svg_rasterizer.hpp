// SVG to pixels. libxml2 reads the file first (no network, no DTD, no entity expansion) and a copy is
// kept of only what draws from inside the file: every reference that points outside it (href, src,
// url(), @import, XInclude, stylesheets) is removed, scripts and event handlers are removed, and an
// embedded raster image (data: URL) is decoded by our own decoders and embedded again as a fresh PNG.
// librsvg then draws that copy, with no base URL, into a cairo image surface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "decoded.hpp"
#include "raster.hpp"

namespace mugaika::image {

struct SvgResult {
    Raster image;                         // RGBA, straight alpha
    std::vector<std::string> removed;     // "script", "external reference", "event handler", ...
    int images_rebuilt = 0;               // embedded raster images decoded and written again
};

// The longest side is `max_side` pixels when the SVG declares no absolute size or a larger one.
// Throws SanitizeError: malformed (not XML, declares entities, librsvg refuses it), limit.pixels.
SvgResult rasterize_svg(std::string_view bytes, std::uint32_t max_side, const ImageLimits& limits);

}  // namespace mugaika::image
