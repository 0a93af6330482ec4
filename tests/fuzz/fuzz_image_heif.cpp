// libFuzzer target: any bytes as HEIF through libheif with libde265.
#include <string>

#include "image/heif_decoder.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        image::decode_heif(bytes, limits);
    });
}
