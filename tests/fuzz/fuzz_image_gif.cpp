// libFuzzer target: any bytes as GIF through giflib, every frame written again.
#include <string>

#include "image/gif_codec.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        auto g = image::decode_gif(bytes, limits);
        image::encode_gif(g);
    });
}
