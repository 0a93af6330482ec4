// libFuzzer target: any bytes as SVG through the libxml2 cleaning walk and librsvg.
#include <string>

#include "image/svg_rasterizer.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        image::rasterize_svg(bytes, 256, limits);
    });
}
