// libFuzzer target: any bytes as PNG through libpng, then written again. One target per decoder entry point
// (docs/image.md); small limits keep every input fast. Build with -DMUGAIKA_FUZZ=ON and clang (see
// fuzz_pdf.cpp); without it, CTest replays it over samples/.
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "image/png_codec.hpp"
#include "image/pixel_ops.hpp"
#include "mugaika/limits.hpp"

using namespace mugaika;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    image::ImageLimits limits;
    limits.max_pixels = 4'000'000;
    limits.max_frames = 64;
    try {
    auto d = image::decode_png(bytes, limits);
    image::simplify(d.image);
    image::RasterRows rows(d.image);
    image::encode_png(rows, {});
    } catch (const SanitizeError&) {
        // refused: the expected way out for bad input
    } catch (const std::bad_alloc&) {
    }
    return 0;
}
