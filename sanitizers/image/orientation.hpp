// EXIF/TIFF orientation applied to the pixels while they are written: the output is upright without
// a tag that a reader may or may not honour, and without a second full-size buffer.
#pragma once

#include <vector>

#include "raster.hpp"

namespace mugaika::image {

// Rows of `source` as they look with `orientation` (1-8) applied. Orientations 5-8 swap width and
// height; their rows are built a block at a time from one sequential pass over the source.
class OrientedRows final : public RowSource {
public:
    OrientedRows(const Raster& source, int orientation);
    std::uint32_t width() const override { return width_; }
    std::uint32_t height() const override { return height_; }
    Layout layout() const override { return src_.layout(); }
    int depth() const override { return src_.depth(); }
    const std::vector<Rgba>& palette() const override { return src_.palette; }
    const std::uint8_t* row(std::uint32_t y, std::uint8_t* scratch) override;

private:
    void fill_block(std::uint32_t first);

    const Raster& src_;
    int orientation_;
    std::uint32_t width_, height_;
    std::vector<std::uint8_t> block_;      // rows [block_first_, block_first_ + kBlock) of the output
    std::uint32_t block_first_ = UINT32_MAX;
    static constexpr std::uint32_t kBlock = 32;
};

}  // namespace mugaika::image
