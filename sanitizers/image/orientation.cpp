#include "orientation.hpp"

#include <algorithm>
#include <cstring>

namespace mugaika::image {
namespace {

bool swaps_axes(int o) { return o >= 5 && o <= 8; }

// Copies `count` pixels of `size` bytes from `from`, stepping `step` pixels (+1 or -1), to `to`.
template <std::size_t Size>
void copy_run(const std::uint8_t* from, std::ptrdiff_t step, std::uint8_t* to, std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i, from += step * static_cast<std::ptrdiff_t>(Size), to += Size)
        std::memcpy(to, from, Size);
}

void copy_pixels(std::size_t size, const std::uint8_t* from, std::ptrdiff_t step, std::uint8_t* to, std::uint32_t count) {
    switch (size) {
    case 1: return copy_run<1>(from, step, to, count);
    case 2: return copy_run<2>(from, step, to, count);
    case 3: return copy_run<3>(from, step, to, count);
    case 4: return copy_run<4>(from, step, to, count);
    case 6: return copy_run<6>(from, step, to, count);
    case 8: return copy_run<8>(from, step, to, count);
    default:
        for (std::uint32_t i = 0; i < count; ++i, from += step * static_cast<std::ptrdiff_t>(size), to += size)
            std::memcpy(to, from, size);
    }
}

}  // namespace

OrientedRows::OrientedRows(const Raster& source, int orientation)
    : src_(source), orientation_(orientation >= 1 && orientation <= 8 ? orientation : 1) {
    width_ = swaps_axes(orientation_) ? src_.height() : src_.width();
    height_ = swaps_axes(orientation_) ? src_.width() : src_.height();
}

const std::uint8_t* OrientedRows::row(std::uint32_t y, std::uint8_t* scratch) {
    const std::size_t px = src_.pixel_bytes();
    const std::uint32_t W = src_.width(), H = src_.height();
    switch (orientation_) {
    case 1: return src_.row(y);
    case 4: return src_.row(H - 1 - y);
    case 2:
        copy_pixels(px, src_.row(y) + (W - 1) * px, -1, scratch, W);
        return scratch;
    case 3:
        copy_pixels(px, src_.row(H - 1 - y) + (W - 1) * px, -1, scratch, W);
        return scratch;
    default:
        break;
    }
    if (block_first_ == UINT32_MAX || y < block_first_ || y >= block_first_ + kBlock) fill_block(y - y % kBlock);
    return block_.data() + static_cast<std::size_t>(y - block_first_) * width_ * px;
}

// Output rows [first, first + kBlock) of a transposing orientation. Output row y is source column
// y (5, 6) or W-1-y (7, 8); output column x is source row x (5, 8) or H-1-x (6, 7).
void OrientedRows::fill_block(std::uint32_t first) {
    const std::size_t px = src_.pixel_bytes();
    const std::uint32_t W = src_.width(), H = src_.height();
    const std::uint32_t rows = std::min(kBlock, height_ - first);
    const std::size_t out_stride = static_cast<std::size_t>(width_) * px;
    block_.resize(out_stride * kBlock);
    block_first_ = first;
    const bool reversed_columns = orientation_ == 7 || orientation_ == 8;   // output rows walk source columns backwards
    const bool reversed_rows = orientation_ == 6 || orientation_ == 7;      // output columns walk source rows backwards
    for (std::uint32_t sy = 0; sy < H; ++sy) {
        std::uint32_t x = reversed_rows ? H - 1 - sy : sy;
        const std::uint8_t* src_row = src_.row(sy);
        for (std::uint32_t k = 0; k < rows; ++k) {
            std::uint32_t sx = reversed_columns ? W - 1 - (first + k) : first + k;
            std::memcpy(block_.data() + k * out_stride + static_cast<std::size_t>(x) * px, src_row + static_cast<std::size_t>(sx) * px, px);
        }
    }
}

}  // namespace mugaika::image
