// JBIG2 declares its bitmap sizes in segment headers, not in the PDF dictionary: a stream of a few KB
// can make the decoder allocate gigabytes (resource-bomb/bomb_giant.pdf). This reads the sizes
// without decoding anything.
#pragma once

#include <cstdint>
#include <string_view>

namespace mugaika::pdf {

// The largest width x height a JBIG2 embedded stream (PDF profile, no file header) declares for a
// page or a region. Stops at the first segment it cannot follow; 0 when it declares nothing.
std::uint64_t jbig2_declared_pixels(std::string_view data);

}  // namespace mugaika::pdf
