// libFuzzer target: any bytes as EXIF through libexif (orientation, date, GPS). One target per decoder entry point
// (docs/image.md); small limits keep every input fast. Build with -DMUGAIKA_FUZZ=ON and clang (see
// fuzz_pdf.cpp); without it, CTest replays it over samples/.
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "image/decoded.hpp"
#include "image/exif_facts.hpp"
#include "mugaika/limits.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    image::ImageLimits limits;
    limits.max_pixels = 4'000'000;
    limits.max_frames = 64;
    try {
    auto f = image::read_exif(std::string("Exif\0\0", 6) + std::string(bytes));
    if (f.orientation < 1 || f.orientation > 8) __builtin_trap();
    } catch (const SanitizeError&) {
        // refused: the expected way out for bad input
    } catch (const std::bad_alloc&) {
    }
    return 0;
}
