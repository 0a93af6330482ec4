// libFuzzer target: any bytes as WebP through libwebp and its demuxer.
#include <string>

#include "image/webp_decoder.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        image::decode_webp(bytes, limits);
    });
}
