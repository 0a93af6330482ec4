#include "placeholder.hpp"

#include <algorithm>
#include <vector>

#include "gif_codec.hpp"
#include "jpeg_codec.hpp"
#include "png_codec.hpp"
#include "raster.hpp"

namespace mugaika::image {
namespace {

constexpr std::uint8_t kFill = 0xE0, kEdge = 0xA0;
constexpr std::uint32_t kMaxSide = 4096, kDefaultSide = 256;

std::uint32_t be32(std::string_view b, std::size_t at) {
    auto p = reinterpret_cast<const unsigned char*>(b.data() + at);
    return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}
std::uint32_t le16(std::string_view b, std::size_t at) {
    auto p = reinterpret_cast<const unsigned char*>(b.data() + at);
    return p[0] | (p[1] << 8);
}
std::int32_t le32(std::string_view b, std::size_t at) {
    auto p = reinterpret_cast<const unsigned char*>(b.data() + at);
    return static_cast<std::int32_t>(p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24));
}

PixelSize fit(PixelSize s) {
    if (s.width == 0 || s.height == 0) return {kDefaultSide, kDefaultSide};
    double scale = std::min(1.0, double(kMaxSide) / std::max(s.width, s.height));
    return {std::max(1u, static_cast<std::uint32_t>(s.width * scale)), std::max(1u, static_cast<std::uint32_t>(s.height * scale))};
}

// Gray rows with a one-pixel darker frame, made as they are asked for.
class PlaceholderRows final : public RowSource {
public:
    explicit PlaceholderRows(PixelSize s) : s_(s), inner_(s.width, kFill), edge_(s.width, kEdge) {
        inner_.front() = inner_.back() = kEdge;
    }
    std::uint32_t width() const override { return s_.width; }
    std::uint32_t height() const override { return s_.height; }
    Layout layout() const override { return Layout::gray; }
    const std::uint8_t* row(std::uint32_t y, std::uint8_t*) override {
        return y == 0 || y + 1 == s_.height ? edge_.data() : inner_.data();
    }

private:
    PixelSize s_;
    std::vector<std::uint8_t> inner_, edge_;
};

void put16(std::string& s, unsigned v) {
    s.push_back(static_cast<char>(v & 0xff));
    s.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& s, std::uint32_t v) {
    put16(s, v & 0xffff);
    put16(s, v >> 16);
}

}  // namespace

PixelSize declared_size(std::string_view b) {
    if (b.size() >= 24 && b.starts_with("\x89PNG\r\n\x1a\n") && b.substr(12, 4) == "IHDR") return {be32(b, 16), be32(b, 20)};
    if (b.size() >= 10 && (b.starts_with("GIF87a") || b.starts_with("GIF89a"))) return {le16(b, 6), le16(b, 8)};
    if (b.size() >= 26 && b.starts_with("BM")) {
        std::int32_t w = le32(b, 18), h = le32(b, 22);
        if (w > 0 && h != INT32_MIN) return {static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h < 0 ? -h : h)};
    }
    if (b.starts_with("\xFF\xD8\xFF")) {
        // Only the frame header is needed; read_jpeg_traits does not give the size, so scan for SOFn.
        std::size_t at = 2;
        while (at + 9 < b.size()) {
            if (static_cast<unsigned char>(b[at]) != 0xFF) break;
            unsigned marker = static_cast<unsigned char>(b[at + 1]);
            std::size_t len = (static_cast<unsigned char>(b[at + 2]) << 8) | static_cast<unsigned char>(b[at + 3]);
            bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof)
                return {static_cast<std::uint32_t>((static_cast<unsigned char>(b[at + 7]) << 8) | static_cast<unsigned char>(b[at + 8])),
                        static_cast<std::uint32_t>((static_cast<unsigned char>(b[at + 5]) << 8) | static_cast<unsigned char>(b[at + 6]))};
            if (len < 2) break;
            at += 2 + len;
        }
    }
    return {};
}

std::string placeholder_image(std::string_view type, PixelSize size) {
    PixelSize s = fit(size);
    PlaceholderRows rows(s);
    if (type == "jpeg") return encode_jpeg(rows, JpegEncodeOptions{.quality = 75});
    if (type == "gif") {
        GifAnimation gif;
        gif.width = s.width;
        gif.height = s.height;
        gif.palette = {{kFill, kFill, kFill, 255}, {kEdge, kEdge, kEdge, 255}};
        GifFrame f;
        f.width = s.width;
        f.height = s.height;
        f.indices.resize(static_cast<std::size_t>(s.width) * s.height);
        std::vector<std::uint8_t> scratch;
        for (std::uint32_t y = 0; y < s.height; ++y) {
            const std::uint8_t* row = rows.row(y, scratch.data());
            for (std::uint32_t x = 0; x < s.width; ++x) f.indices[static_cast<std::size_t>(y) * s.width + x] = row[x] == kEdge;
        }
        gif.frames.push_back(std::move(f));
        return encode_gif(gif);
    }
    return encode_png(rows, PngEncodeOptions{.compression = 9});
}

std::string placeholder_emf(std::string_view original) {
    // The picture's frame in 0.01 mm, from the original EMR_HEADER when it is plausible (up to 10 m).
    std::int32_t fw = 5000, fh = 5000;
    if (original.size() >= 40 && le32(original, 0) == 1) {
        std::int32_t l = le32(original, 24), t = le32(original, 28), r = le32(original, 32), b = le32(original, 36);
        std::int64_t w = std::int64_t(r) - l, h = std::int64_t(b) - t;
        if (w > 0 && h > 0 && w <= 1000000 && h <= 1000000) fw = static_cast<std::int32_t>(w), fh = static_cast<std::int32_t>(h);
    }
    // Reference device: 10 pixels per millimetre, so one logical unit is 0.1 mm.
    std::int32_t pw = std::max(1, fw / 10), ph = std::max(1, fh / 10);
    std::string records;
    // EMR_CREATEBRUSHINDIRECT: handle 1, solid light gray.
    put32(records, 39), put32(records, 24), put32(records, 1), put32(records, 0), put32(records, 0x00E0E0E0), put32(records, 0);
    // EMR_SELECTOBJECT 1.
    put32(records, 37), put32(records, 12), put32(records, 1);
    // EMR_RECTANGLE over the whole picture (the default pen draws its frame).
    put32(records, 43), put32(records, 24), put32(records, 0), put32(records, 0), put32(records, pw - 1), put32(records, ph - 1);
    // EMR_EOF.
    put32(records, 14), put32(records, 20), put32(records, 0), put32(records, 16), put32(records, 20);

    const std::uint32_t header_size = 88, total = header_size + static_cast<std::uint32_t>(records.size());
    std::string s;
    put32(s, 1), put32(s, header_size);
    put32(s, 0), put32(s, 0), put32(s, pw - 1), put32(s, ph - 1);   // rclBounds (device pixels)
    put32(s, 0), put32(s, 0), put32(s, fw - 1), put32(s, fh - 1);   // rclFrame (0.01 mm)
    put32(s, 0x464D4520), put32(s, 0x00010000), put32(s, total), put32(s, 5);   // " EMF", version, bytes, records
    put16(s, 2), put16(s, 0);                                       // handles (index 0 + the brush), reserved
    put32(s, 0), put32(s, 0), put32(s, 0);                          // no description, no palette
    put32(s, 2100), put32(s, 2970), put32(s, 210), put32(s, 297);   // device: 2100 x 2970 px = 210 x 297 mm
    return s + records;
}

std::string placeholder_wmf(std::string_view original) {
    // The placeable header's bounding box and units per inch, when present and sane; else 1 inch.
    std::int32_t left = 0, top = 0, right = 1440, bottom = 1440;
    unsigned inch = 1440;
    if (original.size() >= 22 && static_cast<std::uint32_t>(le32(original, 0)) == 0x9AC6CDD7u) {
        auto s16 = [&](std::size_t at) { return static_cast<std::int16_t>(le16(original, at)); };
        std::int32_t l = s16(6), t = s16(8), r = s16(10), b = s16(12);
        unsigned u = le16(original, 14);
        if (r > l && b > t && u > 0) left = l, top = t, right = r, bottom = b, inch = u;
    }
    std::string body;
    auto record = [&](unsigned function, std::initializer_list<std::int32_t> params) {
        put32(body, 3 + static_cast<std::uint32_t>(params.size()));
        put16(body, function);
        for (std::int32_t p : params) put16(body, static_cast<unsigned>(p) & 0xffff);
    };
    record(0x020B, {top, left});                               // SETWINDOWORG y, x
    record(0x020C, {bottom - top, right - left});              // SETWINDOWEXT height, width
    record(0x02FC, {0, 0xE0E0, 0x00E0, 0});                    // CREATEBRUSHINDIRECT solid, RGB(E0,E0,E0)
    record(0x012D, {0});                                       // SELECTOBJECT 0
    record(0x041B, {bottom, right, top, left});                // RECTANGLE
    record(0x0000, {});                                        // EOF

    std::string s;
    put32(s, 0x9AC6CDD7u);
    put16(s, 0);
    for (std::int32_t v : {left, top, right, bottom}) put16(s, static_cast<unsigned>(v) & 0xffff);
    put16(s, inch);
    put32(s, 0);
    unsigned checksum = 0;
    for (std::size_t i = 0; i < 20; i += 2) checksum ^= le16(s, i);
    put16(s, checksum);
    const std::uint32_t words = static_cast<std::uint32_t>((18 + body.size()) / 2);
    put16(s, 1), put16(s, 9), put16(s, 0x0300);   // memory metafile, 9-word header, version 3
    put32(s, words);
    put16(s, 1);                                  // one object (the brush)
    put32(s, 7);                                  // the longest record, in words
    put16(s, 0);
    return s + body;
}

}  // namespace mugaika::image
