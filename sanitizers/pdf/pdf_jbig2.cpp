#include "pdf_jbig2.hpp"

#include <algorithm>

namespace mugaika::pdf {
namespace {

std::uint32_t be32(std::string_view d, std::size_t at) {
    auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + k])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// Segment types whose data starts with a region segment information field (ITU T.88, 7.4.1).
bool is_region(unsigned type) {
    switch (type) {
    case 4: case 6: case 7:          // text regions
    case 20: case 22: case 23:       // halftone regions
    case 36: case 38: case 39:       // generic regions
    case 40: case 42: case 43:       // generic refinement regions
        return true;
    default:
        return false;
    }
}

}  // namespace

std::uint64_t jbig2_declared_pixels(std::string_view d) {
    constexpr int kMaxSegments = 1 << 16;
    std::uint64_t largest = 0;
    std::size_t at = 0;
    for (int n = 0; n < kMaxSegments; ++n) {
        if (at + 6 > d.size()) break;
        std::uint32_t number = be32(d, at);
        unsigned flags = static_cast<unsigned char>(d[at + 4]);
        unsigned type = flags & 0x3F;
        bool long_page = flags & 0x40;
        at += 5;
        // Referred-to segments: a short form (count in the top 3 bits) or a long one.
        unsigned first = static_cast<unsigned char>(d[at]);
        std::uint64_t referred = first >> 5;
        if (referred == 7) {
            if (at + 4 > d.size()) break;
            referred = be32(d, at) & 0x1FFFFFFF;
            at += 4 + (referred + 8) / 8;
        } else {
            at += 1;
        }
        std::size_t ref_size = number <= 256 ? 1 : number <= 65536 ? 2 : 4;
        if (referred > d.size()) break;
        at += static_cast<std::size_t>(referred) * ref_size;
        at += long_page ? 4 : 1;
        if (at + 4 > d.size()) break;
        std::uint32_t length = be32(d, at);
        at += 4;
        if ((type == 48 || is_region(type)) && at + 8 <= d.size()) {
            std::uint64_t w = be32(d, at), h = be32(d, at + 4);
            if (type == 48 && h == 0xFFFFFFFF) h = 0;   // striped page, height unknown yet
            largest = std::max(largest, w * h);
        }
        if (length == 0xFFFFFFFF) break;   // unknown length (generic region in a stream): cannot follow
        if (length > d.size() - std::min(at, d.size())) break;
        at += length;
        if (type == 51) break;             // end of file
    }
    return largest;
}

}  // namespace mugaika::pdf
