#include "pixel_ops.hpp"

#include <algorithm>
#include <cstring>

namespace mugaika::image {
namespace {

std::uint16_t sample16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

}  // namespace

bool all_opaque(const Raster& r) {
    if (!has_alpha(r.layout())) return true;
    const int ch = r.channels();
    for (std::uint32_t y = 0; y < r.height(); ++y) {
        const std::uint8_t* row = r.row(y);
        for (std::uint32_t x = 0; x < r.width(); ++x) {
            if (r.depth() == 8 ? row[x * ch + ch - 1] != 255 : sample16(row + (x * ch + ch - 1) * 2) != 65535) return false;
        }
    }
    return true;
}

bool all_gray(const Raster& r) {
    if (r.layout() != Layout::rgb && r.layout() != Layout::rgba) return false;
    const std::size_t px = r.pixel_bytes(), s = r.depth() / 8;
    for (std::uint32_t y = 0; y < r.height(); ++y) {
        const std::uint8_t* p = r.row(y);
        for (std::uint32_t x = 0; x < r.width(); ++x, p += px)
            if (std::memcmp(p, p + s, s) != 0 || std::memcmp(p, p + 2 * s, s) != 0) return false;
    }
    return true;
}

bool all_bilevel(const Raster& r) {
    if (r.layout() != Layout::gray || r.depth() != 8) return false;
    for (std::uint32_t y = 0; y < r.height(); ++y) {
        const std::uint8_t* p = r.row(y);
        for (std::uint32_t x = 0; x < r.width(); ++x)
            if (p[x] != 0 && p[x] != 255) return false;
    }
    return true;
}

// Keeps samples `keep` (a bit mask over the source channels) of every pixel, packing rows forward.
static void keep_samples(Raster& r, unsigned keep, Layout to) {
    const std::size_t s = r.depth() / 8, in_px = r.pixel_bytes(), in_stride = r.stride();
    const int ch = r.channels();
    std::uint8_t* base = r.data();
    std::size_t out = 0;
    for (std::uint32_t y = 0; y < r.height(); ++y) {
        const std::uint8_t* p = base + y * in_stride;
        for (std::uint32_t x = 0; x < r.width(); ++x, p += in_px)
            for (int c = 0; c < ch; ++c)
                if (keep & (1u << c)) {
                    if (s == 1) base[out] = p[c];
                    else std::memmove(base + out, p + c * s, s);
                    out += s;
                }
    }
    r.narrow(to, r.depth());
}

void drop_alpha(Raster& r) {
    if (r.layout() == Layout::rgba) keep_samples(r, 0b0111, Layout::rgb);
    else if (r.layout() == Layout::gray_alpha) keep_samples(r, 0b01, Layout::gray);
}

void to_gray(Raster& r) {
    if (r.layout() == Layout::rgb) keep_samples(r, 0b001, Layout::gray);
    else if (r.layout() == Layout::rgba) keep_samples(r, 0b1001, Layout::gray_alpha);
}

void to_8bit(Raster& r) {
    if (r.depth() != 16) return;
    std::uint8_t* base = r.data();
    const std::size_t samples = r.size_bytes() / 2;
    for (std::size_t i = 0; i < samples; ++i) base[i] = static_cast<std::uint8_t>((sample16(base + 2 * i) * 255u + 32767u) / 65535u);
    r.narrow(r.layout(), 8);
}

void unpremultiply(Raster& r) {
    if (r.layout() != Layout::rgba || r.depth() != 8) return;
    for (std::uint32_t y = 0; y < r.height(); ++y) {
        std::uint8_t* p = r.row(y);
        for (std::uint32_t x = 0; x < r.width(); ++x, p += 4) {
            unsigned a = p[3];
            if (a == 255) continue;
            for (int c = 0; c < 3; ++c) p[c] = a == 0 ? 0 : static_cast<std::uint8_t>(std::min(255u, (p[c] * 255u + a / 2) / a));
        }
    }
}

void simplify(Raster& r) {
    if (r.layout() == Layout::indexed) return;
    if (has_alpha(r.layout()) && all_opaque(r)) drop_alpha(r);
    if (all_gray(r)) to_gray(r);
}

}  // namespace mugaika::image
