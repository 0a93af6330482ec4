// libFuzzer target: any bytes as EXIF through libexif (orientation, date, GPS).
#include <string>

#include "image/decoded.hpp"
#include "image/exif_facts.hpp"
#include "image_target.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::image_target(data, size, [](std::string_view bytes, const image::ImageLimits&) {
        auto f = image::read_exif(std::string("Exif\0\0", 6) + std::string(bytes));
        if (f.orientation < 1 || f.orientation > 8) __builtin_trap();
    });
}
