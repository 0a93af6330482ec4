// libFuzzer target: any bytes as PNG through libpng, then written again.
#include <string>

#include "image/png_codec.hpp"
#include "image/pixel_ops.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        auto d = image::decode_png(bytes, limits);
        image::simplify(d.image);
        image::RasterRows rows(d.image);
        image::encode_png(rows, {});
    });
}
