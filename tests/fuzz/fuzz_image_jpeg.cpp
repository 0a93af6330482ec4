// libFuzzer target: any bytes as JPEG through libjpeg-turbo, then written again.
#include <string>

#include "image/jpeg_codec.hpp"
#include "image/orientation.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits& limits) {
        auto d = image::decode_jpeg(bytes, limits);
        image::OrientedRows rows(d.image, 6);
        image::JpegEncodeOptions options;
        options.gray = d.image.layout() == image::Layout::gray;
        image::encode_jpeg(rows, options);
    });
}
