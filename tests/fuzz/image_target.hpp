// The frame every image fuzz target shares (one target per decoder entry point, docs/image.md): small
// limits keep every input fast; a refusal (SanitizeError) is the expected way out for bad input, and so
// is an allocation the fuzzer's memory cap refuses below our pixel limit. Anything else escaping, or a
// trap in the body, is a finding. Build with -DMUGAIKA_FUZZ=ON and clang (see fuzz_pdf.cpp); without
// it, CTest replays each target over samples/ and tests/fuzz/seeds/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>

#include "image/decoded.hpp"
#include "mugaika/limits.hpp"

namespace mugaika::fuzz {

template <class Body>
int image_target(const std::uint8_t* data, std::size_t size, Body&& body) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    image::ImageLimits limits;
    limits.max_pixels = 4'000'000;
    limits.max_frames = 64;
    try {
        body(bytes, limits);
    } catch (const SanitizeError&) {
    } catch (const std::bad_alloc&) {
    }
    return 0;
}

}  // namespace mugaika::fuzz
