// Decoded pixels: what every decoder produces and every encoder consumes. Nothing of an input file
// reaches an output except through one of these.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

namespace mugaika::image {

// Samples per pixel: gray, gray + alpha, RGB, RGBA; or one palette index per pixel. `bgrx` is cairo's
// RGB24 in memory on a little-endian machine (an encoder input only, for pages drawn by poppler).
enum class Layout : std::uint8_t { gray = 1, gray_alpha = 2, rgb = 3, rgba = 4, indexed = 5, bgrx = 6 };

inline int channels_of(Layout l) {
    return l == Layout::indexed ? 1 : l == Layout::bgrx ? 4 : static_cast<int>(l);
}
inline bool has_alpha(Layout l) { return l == Layout::gray_alpha || l == Layout::rgba; }

using Rgba = std::array<std::uint8_t, 4>;

// Zeroed pixel memory. Large pictures get their own mapping with transparent huge pages asked for: a
// 50-megapixel photo is 150 MB, and touching it page by page costs more than decoding it.
struct PixelMemoryFree {
    std::size_t mapped = 0;   // 0: from calloc; else the length of the mapping
    std::size_t lead = 0;     // bytes between the mapping's start and the aligned buffer
    void operator()(std::uint8_t* p) const;
};

// One image in memory, rows top to bottom without padding. 16-bit samples are stored in the machine's
// byte order. The buffer is zeroed (fresh pages), so a decoder that failed half-way can never leave
// stale heap bytes in it (and nothing is released after a failure anyway).
class Raster {
public:
    Raster() = default;
    // Throws std::bad_alloc when the buffer cannot be had (the engine turns that into limit.memory).
    Raster(std::uint32_t width, std::uint32_t height, Layout layout, int depth = 8)
        : width_(width), height_(height), layout_(layout), depth_(depth), data_(allocate(stride() * height_)) {}

    std::uint32_t width() const { return width_; }
    std::uint32_t height() const { return height_; }
    Layout layout() const { return layout_; }
    int depth() const { return depth_; }            // bits per sample: 8 or 16
    int channels() const { return channels_of(layout_); }
    std::size_t pixel_bytes() const { return static_cast<std::size_t>(channels()) * (depth_ / 8); }
    std::size_t stride() const { return static_cast<std::size_t>(width_) * pixel_bytes(); }
    std::size_t size_bytes() const { return stride() * height_; }
    bool empty() const { return !data_; }

    std::uint8_t* row(std::uint32_t y) { return data_.get() + stride() * y; }
    const std::uint8_t* row(std::uint32_t y) const { return data_.get() + stride() * y; }
    std::uint8_t* data() { return data_.get(); }
    const std::uint8_t* data() const { return data_.get(); }

    // Takes a narrower layout or depth over the same buffer; the caller has already packed the rows
    // (pixel_ops.cpp does both). Never grows: a wider layout needs a new raster.
    void narrow(Layout layout, int depth) {
        std::size_t bytes = static_cast<std::size_t>(width_) * channels_of(layout) * (depth / 8);
        if (bytes > stride()) throw std::logic_error("Raster::narrow would grow the rows");
        layout_ = layout;
        depth_ = depth;
    }

    // Indexed images: up to 256 entries; alpha 255 is opaque.
    std::vector<Rgba> palette;

private:
    using Buffer = std::unique_ptr<std::uint8_t, PixelMemoryFree>;
    static Buffer allocate(std::size_t bytes);

    std::uint32_t width_ = 0, height_ = 0;
    Layout layout_ = Layout::rgb;
    int depth_ = 8;
    Buffer data_;
};

// Rows of an image as an encoder reads them, top to bottom. A view can turn or convert the pixels it
// is built on row by row, so that no second full-size buffer is ever needed.
class RowSource {
public:
    virtual ~RowSource() = default;
    virtual std::uint32_t width() const = 0;
    virtual std::uint32_t height() const = 0;
    virtual Layout layout() const = 0;
    virtual int depth() const { return 8; }
    virtual const std::vector<Rgba>& palette() const {
        static const std::vector<Rgba> none;
        return none;
    }
    // Row y; `scratch` holds at least one row (width * pixel bytes) if the view needs to build it.
    virtual const std::uint8_t* row(std::uint32_t y, std::uint8_t* scratch) = 0;

    std::size_t row_bytes() const {
        return static_cast<std::size_t>(width()) * channels_of(layout()) * (depth() / 8);
    }
};

// A raster as it is.
class RasterRows final : public RowSource {
public:
    explicit RasterRows(const Raster& r) : r_(r) {}
    std::uint32_t width() const override { return r_.width(); }
    std::uint32_t height() const override { return r_.height(); }
    Layout layout() const override { return r_.layout(); }
    int depth() const override { return r_.depth(); }
    const std::vector<Rgba>& palette() const override { return r_.palette; }
    const std::uint8_t* row(std::uint32_t y, std::uint8_t*) override { return r_.row(y); }

private:
    const Raster& r_;
};

}  // namespace mugaika::image
