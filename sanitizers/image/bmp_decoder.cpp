#include "bmp_decoder.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

constexpr std::uint32_t kRgb = 0, kRle8 = 1, kRle4 = 2, kBitfields = 3, kAlphaBitfields = 6;
constexpr std::uint32_t kEmbeddedProfile = 0x4D424544;   // 'MBED'
constexpr std::uint32_t kLinkedProfile = 0x4C494E4B;     // 'LINK': a file name, never followed

[[noreturn]] void malformed(const std::string& what) { throw SanitizeError(reason::malformed, "BMP: " + what); }

struct Bytes {
    std::string_view b;
    std::uint32_t u32(std::size_t at) const {
        if (at > b.size() || b.size() - at < 4) malformed("header runs past the end");
        auto p = reinterpret_cast<const unsigned char*>(b.data() + at);
        return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    }
    std::uint16_t u16(std::size_t at) const {
        if (at > b.size() || b.size() - at < 2) malformed("header runs past the end");
        auto p = reinterpret_cast<const unsigned char*>(b.data() + at);
        return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
    }
};

// One colour channel packed in a 16- or 32-bit pixel.
struct Channel {
    std::uint32_t mask = 0;
    int shift = 0;
    std::uint32_t max = 0;
    static Channel of(std::uint32_t mask) {
        Channel c;
        c.mask = mask;
        if (!mask) return c;
        c.shift = std::countr_zero(mask);
        std::uint32_t bits = mask >> c.shift;
        if ((bits & (bits + 1)) != 0) malformed("colour mask with holes");
        c.max = bits;
        return c;
    }
    std::uint8_t get(std::uint32_t v) const {
        if (!mask) return 0;
        return static_cast<std::uint8_t>((((v & mask) >> shift) * 255 + max / 2) / max);
    }
};

struct Header {
    std::uint32_t dib = 0, offset = 0;
    std::int64_t width = 0, height = 0;
    bool top_down = false;
    std::uint32_t bpp = 0, compression = kRgb, colors_used = 0;
    std::uint32_t masks[4] = {};   // R, G, B, A
    bool have_masks = false;
    std::size_t palette_at = 0, palette_entry = 4;
    double ppm_x = 0, ppm_y = 0;
};

Header read_header(const Bytes& in, SourceFacts& facts) {
    Header h;
    if (in.b.size() < 26 || in.b.substr(0, 2) != "BM") malformed("not a BMP file");
    h.offset = in.u32(10);
    h.dib = in.u32(14);
    if (h.dib == 12) {   // BITMAPCOREHEADER
        h.width = in.u16(18);
        h.height = in.u16(20);
        if (in.u16(22) != 1) malformed("planes != 1");
        h.bpp = in.u16(24);
        h.palette_entry = 3;
    } else if (h.dib == 40 || h.dib == 52 || h.dib == 56 || h.dib == 108 || h.dib == 124) {
        h.width = static_cast<std::int32_t>(in.u32(18));
        std::int32_t height = static_cast<std::int32_t>(in.u32(22));
        if (height == INT32_MIN) malformed("impossible height");
        h.top_down = height < 0;
        h.height = height < 0 ? -static_cast<std::int64_t>(height) : height;
        if (in.u16(26) != 1) malformed("planes != 1");
        h.bpp = in.u16(28);
        h.compression = in.u32(30);
        h.ppm_x = static_cast<std::int32_t>(in.u32(38));
        h.ppm_y = static_cast<std::int32_t>(in.u32(42));
        h.colors_used = in.u32(46);
        std::size_t masks_at = 14 + 40;
        bool bitfields = h.compression == kBitfields || h.compression == kAlphaBitfields;
        if (h.dib >= 52) {
            for (int i = 0; i < (h.dib >= 56 ? 4 : 3); ++i) h.masks[i] = in.u32(masks_at + 4 * i);
            h.have_masks = bitfields;
        } else if (bitfields) {
            int n = h.compression == kAlphaBitfields ? 4 : 3;
            for (int i = 0; i < n; ++i) h.masks[i] = in.u32(masks_at + 4 * i);
            h.have_masks = true;
            masks_at += 4 * n;
        }
        h.palette_at = h.dib >= 52 ? 14 + h.dib : masks_at;
        if (h.dib == 124) {
            std::uint32_t cs = in.u32(14 + 56);
            if (cs == kEmbeddedProfile) {
                std::uint64_t at = 14ull + in.u32(14 + 112), size = in.u32(14 + 116);
                if (size > 0 && at <= in.b.size() && size <= in.b.size() - at) facts.icc.assign(in.b.substr(at, size));
                facts.drop("ICC");
            } else if (cs == kLinkedProfile) {
                facts.drop("linked colour profile");
            }
        }
    } else {
        throw SanitizeError(reason::unsupported, "BMP header of " + std::to_string(h.dib) + " bytes (OS/2 or unknown)");
    }
    if (h.dib == 12) h.palette_at = 14 + 12;
    if (h.width <= 0 || h.height <= 0) malformed("empty or negative size");
    switch (h.compression) {
    case kRgb: break;
    case kRle8: if (h.bpp != 8 || h.top_down) malformed("RLE8 needs 8 bits per pixel, bottom-up"); break;
    case kRle4: if (h.bpp != 4 || h.top_down) malformed("RLE4 needs 4 bits per pixel, bottom-up"); break;
    case kBitfields:
    case kAlphaBitfields: if (h.bpp != 16 && h.bpp != 32) malformed("bit fields need 16 or 32 bits per pixel"); break;
    default: throw SanitizeError(reason::unsupported, "BMP compression " + std::to_string(h.compression) + " (embedded JPEG/PNG or unknown)");
    }
    if (h.bpp != 1 && h.bpp != 4 && h.bpp != 8 && h.bpp != 16 && h.bpp != 24 && h.bpp != 32)
        malformed(std::to_string(h.bpp) + " bits per pixel");
    if (h.offset < h.palette_at || h.offset >= in.b.size()) malformed("pixel data outside the file");
    return h;
}

std::vector<Rgba> read_palette(const Bytes& in, const Header& h) {
    std::vector<Rgba> palette;
    if (h.bpp > 8) return palette;
    std::size_t entries = h.colors_used ? std::min<std::size_t>(h.colors_used, 1u << h.bpp) : (1u << h.bpp);
    std::size_t room = (h.offset - h.palette_at) / h.palette_entry;
    entries = std::min(entries, room);   // writers that count colours they did not write
    if (entries == 0) malformed("palette image without a palette");
    for (std::size_t i = 0; i < entries; ++i) {
        auto p = reinterpret_cast<const unsigned char*>(in.b.data() + h.palette_at + i * h.palette_entry);
        palette.push_back({p[2], p[1], p[0], 255});
    }
    return palette;
}

void decode_rle(const Bytes& in, const Header& h, Raster& image, const ImageLimits& limits, std::uint64_t& end) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.b.data());
    std::size_t at = h.offset, size = in.b.size();
    const std::uint32_t width = image.width(), height = image.height();
    std::uint32_t x = 0, row = 0;   // row counts from the bottom
    auto need = [&](std::size_t n) {
        if (size - at < n) malformed("RLE data runs past the end");
    };
    auto put = [&](std::uint8_t v) {
        if (x < width && row < height) image.row(height - 1 - row)[x] = v;
        ++x;
    };
    const bool four = h.compression == kRle4;
    for (;;) {
        need(2);
        unsigned count = p[at], value = p[at + 1];
        at += 2;
        if (count > 0) {
            for (unsigned i = 0; i < count; ++i) put(four ? (i % 2 ? value & 0x0f : value >> 4) : value);
            continue;
        }
        if (value == 0) {   // end of line
            x = 0;
            if (++row > height) malformed("RLE data beyond the last row");
            if ((row & 255) == 0) limits.tick();
        } else if (value == 1) {   // end of bitmap
            break;
        } else if (value == 2) {   // delta
            need(2);
            x += p[at];
            row += p[at + 1];
            at += 2;
            if (row > height) malformed("RLE delta beyond the last row");
        } else {   // absolute run of `value` pixels, padded to 16 bits
            std::size_t bytes = four ? (value + 1) / 2 : value;
            need(bytes);
            for (unsigned i = 0; i < value; ++i) put(four ? (i % 2 ? p[at + i / 2] & 0x0f : p[at + i / 2] >> 4) : p[at + i]);
            at += bytes + (bytes & 1);
            if (at > size) malformed("RLE data runs past the end");
        }
    }
    end = at;
}

}  // namespace

DecodedBmp decode_bmp(std::string_view bytes, const ImageLimits& limits) {
    Bytes in{bytes};
    DecodedBmp out;
    Header h = read_header(in, out.facts);
    check_dimensions(static_cast<std::uint64_t>(h.width), static_cast<std::uint64_t>(h.height), limits, "BMP");
    const auto width = static_cast<std::uint32_t>(h.width), height = static_cast<std::uint32_t>(h.height);
    if (h.ppm_x > 0 && h.ppm_y > 0) out.facts.density = {h.ppm_x * 0.0254, h.ppm_y * 0.0254};
    std::vector<Rgba> palette = read_palette(in, h);
    const std::uint64_t palette_end = h.palette_at + palette.size() * h.palette_entry;
    std::uint64_t end = 0;

    if (h.bpp <= 8) {
        Raster image(width, height, Layout::indexed);
        if (h.compression == kRle8 || h.compression == kRle4) {
            decode_rle(in, h, image, limits, end);
        } else {
            const std::uint64_t stride = (static_cast<std::uint64_t>(width) * h.bpp + 31) / 32 * 4;
            const std::uint64_t row_bytes = (static_cast<std::uint64_t>(width) * h.bpp + 7) / 8;
            if (bytes.size() - h.offset < stride * (height - 1) + row_bytes) malformed("pixel data is truncated");
            const auto* base = reinterpret_cast<const unsigned char*>(bytes.data() + h.offset);
            for (std::uint32_t y = 0; y < height; ++y) {
                if ((y & 255) == 0) limits.tick();
                const unsigned char* src = base + stride * y;
                std::uint8_t* dst = image.row(h.top_down ? y : height - 1 - y);
                const unsigned per_byte = 8 / h.bpp, mask = (1u << h.bpp) - 1;
                for (std::uint32_t x = 0; x < width; ++x)
                    dst[x] = static_cast<std::uint8_t>((src[x / per_byte] >> ((per_byte - 1 - x % per_byte) * h.bpp)) & mask);
            }
            end = h.offset + std::min<std::uint64_t>(stride * height, bytes.size() - h.offset);
        }
        // Indices past the palette show as black, as Windows shows them.
        std::uint8_t top = 0;
        for (std::uint32_t y = 0; y < height; ++y)
            for (std::uint32_t x = 0; x < width; ++x) top = std::max(top, image.row(y)[x]);
        while (palette.size() <= top) palette.push_back({0, 0, 0, 255});
        image.palette = std::move(palette);
        out.image = std::move(image);
    } else {
        Channel r, g, b, a;
        if (h.bpp == 16 && !h.have_masks) r = Channel::of(0x7C00), g = Channel::of(0x03E0), b = Channel::of(0x001F);
        else if (h.have_masks) {
            r = Channel::of(h.masks[0]), g = Channel::of(h.masks[1]), b = Channel::of(h.masks[2]), a = Channel::of(h.masks[3]);
            if (!r.mask && !g.mask && !b.mask) malformed("no colour masks");
            if ((h.masks[0] & h.masks[1]) || (h.masks[0] & h.masks[2]) || (h.masks[1] & h.masks[2]) ||
                ((h.masks[0] | h.masks[1] | h.masks[2]) & h.masks[3]))
                malformed("overlapping colour masks");
            if (h.bpp == 16 && ((h.masks[0] | h.masks[1] | h.masks[2] | h.masks[3]) >> 16)) malformed("masks beyond 16 bits");
        }
        const bool masked = h.bpp == 16 || h.have_masks;
        const bool alpha = masked && a.mask != 0;
        const std::uint64_t stride = (static_cast<std::uint64_t>(width) * h.bpp + 31) / 32 * 4;
        const std::uint64_t row_bytes = static_cast<std::uint64_t>(width) * (h.bpp / 8);
        if (bytes.size() - h.offset < stride * (height - 1) + row_bytes) malformed("pixel data is truncated");
        Raster image(width, height, alpha ? Layout::rgba : Layout::rgb);
        const auto* base = reinterpret_cast<const unsigned char*>(bytes.data() + h.offset);
        const std::size_t px_out = alpha ? 4 : 3;
        bool any_alpha = false;
        for (std::uint32_t y = 0; y < height; ++y) {
            if ((y & 255) == 0) limits.tick();
            const unsigned char* src = base + stride * y;
            std::uint8_t* dst = image.row(h.top_down ? y : height - 1 - y);
            for (std::uint32_t x = 0; x < width; ++x, dst += px_out) {
                if (!masked) {   // 24 or 32 bits, B G R (X)
                    const unsigned char* s = src + static_cast<std::size_t>(x) * (h.bpp / 8);
                    dst[0] = s[2], dst[1] = s[1], dst[2] = s[0];
                    continue;
                }
                std::uint32_t v = h.bpp == 16 ? (src[2 * x] | (src[2 * x + 1] << 8))
                                              : (src[4 * x] | (src[4 * x + 1] << 8) | (src[4 * x + 2] << 16) |
                                                 (static_cast<std::uint32_t>(src[4 * x + 3]) << 24));
                dst[0] = r.get(v), dst[1] = g.get(v), dst[2] = b.get(v);
                if (alpha) {
                    dst[3] = a.get(v);
                    any_alpha = any_alpha || dst[3] != 0;
                }
            }
        }
        // An alpha mask over all-zero alpha is a writer that did not mean transparency.
        if (alpha && !any_alpha)
            for (std::uint32_t y = 0; y < height; ++y)
                for (std::uint32_t x = 0; x < width; ++x) image.row(y)[4 * x + 3] = 255;
        end = h.offset + std::min<std::uint64_t>(stride * height, bytes.size() - h.offset);
        out.image = std::move(image);
    }
    // Bytes the header never points at: between the palette and the pixels, and after the pixels.
    if (h.offset > palette_end && out.facts.icc.empty()) out.facts.drop("data between header and pixels");
    out.facts.trailing_bytes = end < bytes.size() ? bytes.size() - end : 0;
    return out;
}

}  // namespace mugaika::image
