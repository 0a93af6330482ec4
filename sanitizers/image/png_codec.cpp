#include "png_codec.hpp"

#include <png.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <optional>
#include <vector>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

// Ancillary chunks that libpng inflates (iCCP, zTXt, iTXt) may not grow beyond this: a 1 KB chunk
// that inflates to a gigabyte is a bomb of its own.
constexpr png_alloc_size_t kMaxChunkBytes = 8u << 20;

constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// libpng reports errors through a callback that must not return: it jumps to png_jmpbuf. Only C
// structures and objects created before the setjmp are touched between the two.
struct ErrorState {
    char message[256] = {};
    std::optional<SanitizeError> pending;   // a limit hit inside a callback
};

[[noreturn]] void on_error(png_structp png, png_const_charp msg) {
    auto* e = static_cast<ErrorState*>(png_get_error_ptr(png));
    if (e && e->message[0] == 0) std::snprintf(e->message, sizeof e->message, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

// Warnings concern ancillary chunks (which are dropped anyway) or recoverable oddities; damage to
// the image data is an error.
void on_warning(png_structp, png_const_charp) {}

struct Source {
    std::string_view bytes;
    std::size_t offset = 0;
};

void read_bytes(png_structp png, png_bytep out, png_size_t n) {
    auto* s = static_cast<Source*>(png_get_io_ptr(png));
    if (n > s->bytes.size() - s->offset) png_error(png, "truncated file");
    std::memcpy(out, s->bytes.data() + s->offset, n);
    s->offset += n;
}

std::string printable_chunk(png_const_bytep name) {
    std::string s(reinterpret_cast<const char*>(name), 4);
    for (char& c : s)
        if (!std::isalpha(static_cast<unsigned char>(c))) c = '?';
    return s;
}

int record_unknown(png_structp png, png_unknown_chunkp chunk) {
    auto* facts = static_cast<SourceFacts*>(png_get_user_chunk_ptr(png));
    std::string name = printable_chunk(chunk->name);
    if (name == "acTL" || name == "fcTL" || name == "fdAT") {
        facts->frames = std::max<std::uint32_t>(facts->frames, 2);
        facts->frames_note = "APNG animation: the default image kept";
    } else {
        facts->drop(name);
    }
    return 1;   // handled: libpng discards it
}

struct Reader {
    png_structp png = nullptr;
    png_infop info = nullptr;
    png_infop end = nullptr;
    ErrorState err;
    Reader() {
        png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, on_error, on_warning);
        if (!png) throw std::bad_alloc();
        info = png_create_info_struct(png);
        end = png_create_info_struct(png);
        if (!info || !end) {
            png_destroy_read_struct(&png, &info, &end);
            throw std::bad_alloc();
        }
    }
    ~Reader() { png_destroy_read_struct(&png, &info, &end); }
    Reader(const Reader&) = delete;
};

void note_chunks(png_structp png, png_infop info, SourceFacts& facts) {
    png_textp text = nullptr;
    int n = 0;
    if (png_get_text(png, info, &text, &n) > 0) facts.drop("text");
    png_timep time = nullptr;
    if (png_get_tIME(png, info, &time)) facts.drop("tIME");
    png_uint_32 exif_len = 0;
    png_bytep exif = nullptr;
    if (png_get_eXIf_1(png, info, &exif_len, &exif) && exif && exif_len > 0) {
        if (facts.exif.empty()) facts.exif = std::string("Exif\0\0", 6) + std::string(reinterpret_cast<char*>(exif), exif_len);
        facts.drop("EXIF");
    }
    png_sPLT_tp splt = nullptr;
    if (png_get_sPLT(png, info, &splt) > 0) facts.drop("sPLT");
    if (png_get_valid(png, info, PNG_INFO_hIST)) facts.drop("hIST");
    if (png_get_valid(png, info, PNG_INFO_oFFs)) facts.drop("oFFs");
    if (png_get_valid(png, info, PNG_INFO_pCAL)) facts.drop("pCAL");
    if (png_get_valid(png, info, PNG_INFO_sCAL)) facts.drop("sCAL");
}

bool run_decode(Reader& r, Source& src, const ImageLimits& limits, DecodedPng& out) {
    png_structp png = r.png;
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_read_fn(png, &src, read_bytes);
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);   // our own check below decides
    png_set_chunk_malloc_max(png, kMaxChunkBytes);
    png_set_read_user_chunk_fn(png, &out.facts, record_unknown);
    png_read_info(png, r.info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, r.info, &width, &height, &bit_depth, &color_type, &interlace, nullptr, nullptr);
    check_dimensions(width, height, limits, "PNG");

    Layout layout;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        layout = Layout::indexed;
        png_set_packing(png);
        png_colorp plte = nullptr;
        int entries = 0;
        if (!png_get_PLTE(png, r.info, &plte, &entries) || entries < 1 || entries > 256)
            png_error(png, "palette image without a usable palette");
        png_bytep trans = nullptr;
        int ntrans = 0;
        png_get_tRNS(png, r.info, &trans, &ntrans, nullptr);
        for (int i = 0; i < entries; ++i)
            out.image.palette.push_back({plte[i].red, plte[i].green, plte[i].blue,
                                         static_cast<std::uint8_t>(trans && i < ntrans ? trans[i] : 255)});
    } else {
        bool trns = png_get_valid(png, r.info, PNG_INFO_tRNS);
        if (trns) png_set_tRNS_to_alpha(png);
        if (bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
        bool alpha = trns || (color_type & PNG_COLOR_MASK_ALPHA);
        bool color = color_type & PNG_COLOR_MASK_COLOR;
        layout = color ? (alpha ? Layout::rgba : Layout::rgb) : (alpha ? Layout::gray_alpha : Layout::gray);
        if (bit_depth == 16 && kLittleEndian) png_set_swap(png);
    }
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, r.info);
    int depth = bit_depth == 16 && layout != Layout::indexed ? 16 : 8;

    png_uint_32 ppm_x = 0, ppm_y = 0;
    int unit = 0;
    if (png_get_pHYs(png, r.info, &ppm_x, &ppm_y, &unit) && unit == PNG_RESOLUTION_METER)
        out.facts.density = {ppm_x * 0.0254, ppm_y * 0.0254};
    png_charp icc_name = nullptr;
    int compression = 0;
    png_bytep icc = nullptr;
    png_uint_32 icc_len = 0;
    if (png_get_iCCP(png, r.info, &icc_name, &compression, &icc, &icc_len) && icc && icc_len) {
        out.facts.icc.assign(reinterpret_cast<const char*>(icc), icc_len);
        out.facts.drop("ICC");
    }

    Raster image(width, height, layout, depth);
    image.palette = std::move(out.image.palette);
    if (png_get_rowbytes(png, r.info) != image.stride()) png_error(png, "unexpected row size");
    for (int pass = 0; pass < passes; ++pass) {
        for (png_uint_32 y = 0; y < height; ++y) {
            if ((y & 255) == 0) {
                bool over = false;
                try {
                    limits.tick();
                } catch (const SanitizeError& e) {
                    r.err.pending.emplace(e);
                    over = true;
                }
                if (over) png_error(png, "time budget");
            }
            png_read_row(png, image.row(y), nullptr);
        }
    }
    png_read_end(png, r.end);
    out.image = std::move(image);
    note_chunks(png, r.info, out.facts);
    note_chunks(png, r.end, out.facts);
    out.facts.trailing_bytes = src.bytes.size() - src.offset;
    return true;
}

}  // namespace

DecodedPng decode_png(std::string_view bytes, const ImageLimits& limits) {
    Reader r;
    Source src{bytes};
    DecodedPng out;
    if (!run_decode(r, src, limits, out)) {
        if (r.err.pending) throw *r.err.pending;
        throw SanitizeError(reason::malformed, std::string("PNG: ") + (r.err.message[0] ? r.err.message : "libpng error"));
    }
    return out;
}

namespace {

struct Writer {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ErrorState err;
    Writer() {
        png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_error, on_warning);
        if (!png) throw std::bad_alloc();
        info = png_create_info_struct(png);
        if (!info) {
            png_destroy_write_struct(&png, nullptr);
            throw std::bad_alloc();
        }
    }
    ~Writer() { png_destroy_write_struct(&png, &info); }
    Writer(const Writer&) = delete;
};

struct Sink {
    std::string* out;
    bool failed = false;
};

void write_bytes(png_structp png, png_bytep data, png_size_t n) {
    auto* s = static_cast<Sink*>(png_get_io_ptr(png));
    try {
        s->out->append(reinterpret_cast<const char*>(data), n);
    } catch (...) {
        s->failed = true;
    }
    if (s->failed) png_error(png, "out of memory");
}

void flush_bytes(png_structp) {}

int bits_for_palette(std::size_t entries) { return entries <= 2 ? 1 : entries <= 4 ? 2 : entries <= 16 ? 4 : 8; }

bool run_encode(Writer& w, Sink& sink, RowSource& rows, const PngEncodeOptions& options, std::vector<std::uint8_t>& scratch,
                std::vector<png_color>& plte, std::vector<png_byte>& trans) {
    png_structp png = w.png;
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_write_fn(png, &sink, write_bytes, flush_bytes);
    png_set_compression_level(png, options.compression);

    int color_type = 0, bit_depth = rows.depth();
    switch (rows.layout()) {
    case Layout::gray: color_type = PNG_COLOR_TYPE_GRAY; break;
    case Layout::gray_alpha: color_type = PNG_COLOR_TYPE_GRAY_ALPHA; break;
    case Layout::rgb: color_type = PNG_COLOR_TYPE_RGB; break;
    case Layout::rgba: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    case Layout::indexed: color_type = PNG_COLOR_TYPE_PALETTE; break;
    case Layout::bgrx: png_error(png, "bgrx rows are not written as PNG");
    }
    if (rows.layout() == Layout::indexed) {
        const auto& pal = rows.palette();
        if (pal.empty() || pal.size() > 256) png_error(png, "bad palette");
        bit_depth = bits_for_palette(pal.size());
        for (const auto& c : pal) plte.push_back({c[0], c[1], c[2]});
        std::size_t last_translucent = 0;
        for (std::size_t i = 0; i < pal.size(); ++i)
            if (pal[i][3] != 255) last_translucent = i + 1;
        for (std::size_t i = 0; i < last_translucent; ++i) trans.push_back(pal[i][3]);
    } else if (options.bilevel && rows.layout() == Layout::gray && rows.depth() == 8) {
        bit_depth = 1;
    }
    png_set_IHDR(png, w.info, rows.width(), rows.height(), bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!plte.empty()) png_set_PLTE(png, w.info, plte.data(), static_cast<int>(plte.size()));
    if (!trans.empty()) png_set_tRNS(png, w.info, trans.data(), static_cast<int>(trans.size()), nullptr);
    if (options.density.known())
        png_set_pHYs(png, w.info, static_cast<png_uint_32>(options.density.x / 0.0254 + 0.5),
                     static_cast<png_uint_32>(options.density.y / 0.0254 + 0.5), PNG_RESOLUTION_METER);
    if (!options.exif.empty())
        png_set_eXIf_1(png, w.info, static_cast<png_uint_32>(options.exif.size()),
                       reinterpret_cast<png_bytep>(const_cast<char*>(options.exif.data())));
    png_write_info(png, w.info);
    if (bit_depth < 8) png_set_packing(png);
    if (bit_depth == 16 && kLittleEndian) png_set_swap(png);
    std::uint32_t h = rows.height();
    for (std::uint32_t y = 0; y < h; ++y) {
        const std::uint8_t* row = rows.row(y, scratch.data());
        png_write_row(png, const_cast<png_bytep>(row));
    }
    png_write_end(png, nullptr);
    return true;
}

}  // namespace

std::string encode_png(RowSource& rows, const PngEncodeOptions& options) {
    std::string out;
    Writer w;
    Sink sink{&out};
    std::vector<std::uint8_t> scratch(rows.row_bytes());
    std::vector<png_color> plte;
    std::vector<png_byte> trans;
    if (!run_encode(w, sink, rows, options, scratch, plte, trans)) {
        if (sink.failed) throw std::bad_alloc();
        throw SanitizeError(reason::internal, std::string("PNG encoder: ") + w.err.message);
    }
    return out;
}

}  // namespace mugaika::image
