// libFuzzer target: any bytes as TIFF through libtiff on memory.
#include <string>

#include "image/tiff_decoder.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        image::decode_tiff(bytes, limits);
    });
}
