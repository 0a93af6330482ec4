#include "jpeg_codec.hpp"

// clang-format off
#include <cstdio>   // jpeglib.h needs FILE
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "color.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

// A progressive file with thousands of scans is a known way to make a decoder spin (libjpeg-turbo's
// advice for untrusted input); real encoders write about ten.
constexpr int kMaxScans = 500;

// Warnings that say nothing about missing or invented pixels. Every other warning (premature end,
// corrupt Huffman data, resynchronisation) means the decoder would fill in pixels: the file is held.
bool harmless_warning(int code) {
    return code == JWRN_EXTRANEOUS_DATA || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC ||
           code == JWRN_JFIF_MAJOR;
}

// libjpeg reports errors by calling error_exit, which must not return: it jumps back to the
// setjmp in the function that called libjpeg. No C++ object is created between the two.
struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    std::string_view code = reason::malformed;   // the reason to hold with, when the jump happens
};

[[noreturn]] void error_exit(j_common_ptr cinfo) {
    auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
    if (err->message[0] == 0) (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}

void emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;   // trace output
    if (harmless_warning(cinfo->err->msg_code)) return;
    error_exit(cinfo);
}

std::string error_text(ErrorManager& err) {
    return err.message[0] ? std::string(err.message) : std::string("libjpeg error");
}

constexpr std::array<unsigned, 64> kStdLuminance{
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57,
    69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64,
    81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

// Inverts libjpeg's quality scaling (jcparam.c) on the luminance table.
int estimate_quality(const jpeg_decompress_struct& cinfo) {
    if (cinfo.num_components < 1) return 0;
    int slot = cinfo.comp_info[0].quant_tbl_no;
    if (slot < 0 || slot >= NUM_QUANT_TBLS || !cinfo.quant_tbl_ptrs[slot]) return 0;
    const JQUANT_TBL* t = cinfo.quant_tbl_ptrs[slot];
    double sum = 0, std_sum = 0;
    for (int i = 0; i < 64; ++i) {
        sum += t->quantval[i];
        std_sum += kStdLuminance[i];
    }
    double scale = sum * 100.0 / std_sum;
    double q = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
    return std::clamp(static_cast<int>(q + 0.5), 1, 100);
}

JpegTraits traits_of(const jpeg_decompress_struct& cinfo) {
    JpegTraits t;
    t.quality = estimate_quality(cinfo);
    t.components = cinfo.num_components;
    if (cinfo.num_components >= 3) {
        const auto* c = cinfo.comp_info;
        t.full_chroma = c[0].h_samp_factor == c[1].h_samp_factor && c[0].v_samp_factor == c[1].v_samp_factor &&
                        c[0].h_samp_factor == c[2].h_samp_factor && c[0].v_samp_factor == c[2].v_samp_factor;
    }
    return t;
}

// The decoder's progress callback: scan count and the engine's time budget.
struct Watch {
    const ImageLimits* limits = nullptr;
    ErrorManager* err = nullptr;
    std::optional<SanitizeError> pending;   // a limit hit inside the callback, raised after the jump

    static void monitor(j_common_ptr c) {
        auto* self = static_cast<Watch*>(c->client_data);
        auto* d = reinterpret_cast<j_decompress_ptr>(c);
        if (d->input_scan_number > kMaxScans) {
            std::snprintf(self->err->message, sizeof self->err->message, "more than %d scans", kMaxScans);
            error_exit(c);
        }
        bool over = false;
        try {
            if (self->limits) self->limits->tick();
        } catch (const SanitizeError& e) {
            self->pending.emplace(e);
            over = true;
        } catch (...) {
            self->pending.emplace(reason::limit_time, "time budget");
            over = true;
        }
        if (over) {
            std::snprintf(self->err->message, sizeof self->err->message, "time budget");
            error_exit(c);
        }
    }
};

struct Decompressor {
    jpeg_decompress_struct cinfo{};
    ErrorManager err{};
    jpeg_progress_mgr progress{};
    Watch watch;

    Decompressor() {
        cinfo.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = error_exit;
        err.pub.emit_message = emit_message;
        jpeg_create_decompress(&cinfo);
        watch.err = &err;
        cinfo.client_data = &watch;
    }
    ~Decompressor() { jpeg_destroy_decompress(&cinfo); }
    Decompressor(const Decompressor&) = delete;
};

}  // namespace

JpegTraits read_jpeg_traits(std::string_view bytes) {
    Decompressor d;
    if (setjmp(d.err.jump)) return {};
    jpeg_mem_src(&d.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    if (jpeg_read_header(&d.cinfo, TRUE) != JPEG_HEADER_OK) return {};
    return traits_of(d.cinfo);
}

namespace {

void read_markers(jpeg_decompress_struct& cinfo, SourceFacts& facts) {
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        std::string_view data(reinterpret_cast<const char*>(m->data), m->data_length);
        if (m->marker == JPEG_COM) {
            facts.drop("comment");
        } else if (m->marker == JPEG_APP0 + 1 && data.starts_with(std::string_view("Exif\0\0", 6))) {
            if (facts.exif.empty()) facts.exif.assign(data);
            facts.drop("EXIF");
        } else if (m->marker == JPEG_APP0 + 1 && data.find("ns.adobe.com/xap") != std::string_view::npos) {
            facts.drop("XMP");
        } else if (m->marker == JPEG_APP0 + 2 && data.starts_with("ICC_PROFILE")) {
            facts.drop("ICC");
        } else if (m->marker == JPEG_APP0 + 13) {
            facts.drop("IPTC/Photoshop");
        } else {
            facts.drop("APP" + std::to_string(m->marker - JPEG_APP0));
        }
    }

}

void save_markers(jpeg_decompress_struct& cinfo) {
    // Markers we read (EXIF for orientation and date, ICC for colour) or only note as dropped (a
    // length of 0 would make libjpeg skip them unrecorded; the first bytes say what they are).
    jpeg_save_markers(&cinfo, JPEG_COM, 32);
    for (int n = 1; n < 16; ++n)
        if (n != 14) jpeg_save_markers(&cinfo, JPEG_APP0 + n, n == 1 || n == 2 ? 0xFFFF : 32);
}

// Everything that calls into libjpeg for one decode. The objects it fills live in `out` and `d`,
// created before the setjmp, so that the jump skips no destructor.
bool run_decode(Decompressor& d, std::string_view bytes, const ImageLimits& limits, DecodedJpeg& out,
                std::unique_ptr<ColorConverter>& color, std::vector<std::uint8_t>& cmyk_rows, std::string& failure) {
    if (setjmp(d.err.jump)) {
        failure = error_text(d.err);
        return false;
    }
    jpeg_decompress_struct& cinfo = d.cinfo;
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    save_markers(cinfo);
    cinfo.mem->max_memory_to_use = static_cast<long>(std::min<std::uint64_t>(limits.max_pixels * 8 + (64u << 20), 1ull << 40));
    d.progress.progress_monitor = Watch::monitor;
    cinfo.progress = &d.progress;

    jpeg_read_header(&cinfo, TRUE);
    check_dimensions(cinfo.image_width, cinfo.image_height, limits, "JPEG");
    out.traits = traits_of(cinfo);
    // The saved markers live in the image's memory pool: read them before jpeg_finish_decompress.
    read_markers(cinfo, out.facts);

    bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    bool gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
    if (!cmyk && !gray && cinfo.num_components != 3)
        throw SanitizeError(reason::unsupported, "JPEG with " + std::to_string(cinfo.num_components) + " components");
    cinfo.out_color_space = cmyk ? JCS_CMYK : gray ? JCS_GRAYSCALE : JCS_RGB;

    JOCTET* icc = nullptr;
    unsigned int icc_len = 0;
    if (jpeg_read_icc_profile(&cinfo, &icc, &icc_len) && icc) {
        out.facts.icc.assign(reinterpret_cast<const char*>(icc), icc_len);
        std::free(icc);
    }
    if (!gray) {
        bool inverted = cmyk && cinfo.saw_Adobe_marker;
        ColorInput in = cmyk ? (inverted ? ColorInput::cmyk_inverted : ColorInput::cmyk) : ColorInput::rgb;
        color = ColorConverter::from_icc(out.facts.icc, in, out.color_note);
    }
    if (cinfo.saw_JFIF_marker && cinfo.density_unit != 0 && cinfo.X_density && cinfo.Y_density) {
        double per_inch = cinfo.density_unit == 2 ? 2.54 : 1.0;
        out.facts.density = {cinfo.X_density * per_inch, cinfo.Y_density * per_inch};
    }

    jpeg_start_decompress(&cinfo);
    out.image = Raster(cinfo.output_width, cinfo.output_height, gray ? Layout::gray : Layout::rgb);
    const std::uint32_t width = cinfo.output_width;
    if (cmyk) cmyk_rows.resize(static_cast<std::size_t>(width) * 4);
    while (cinfo.output_scanline < cinfo.output_height) {
        std::uint32_t y = cinfo.output_scanline;
        std::uint8_t* dest = out.image.row(y);
        JSAMPROW row = cmyk ? cmyk_rows.data() : dest;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            std::snprintf(d.err.message, sizeof d.err.message, "decoder stopped at row %u", y);
            error_exit(reinterpret_cast<j_common_ptr>(&cinfo));
        }
        if (cmyk) {
            if (color) color->convert(cmyk_rows.data(), dest, width);
            else cmyk_to_rgb(cmyk_rows.data(), dest, width, cinfo.saw_Adobe_marker);
        } else if (color) {
            color->convert(dest, dest, width);
        }
    }
    jpeg_finish_decompress(&cinfo);
    out.facts.trailing_bytes = cinfo.src ? cinfo.src->bytes_in_buffer : 0;

    return true;
}

}  // namespace

DecodedJpeg decode_jpeg(std::string_view bytes, const ImageLimits& limits) {
    Decompressor d;
    d.watch.limits = &limits;
    DecodedJpeg out;
    std::unique_ptr<ColorConverter> color;
    std::vector<std::uint8_t> cmyk_rows;
    std::string failure;
    if (!run_decode(d, bytes, limits, out, color, cmyk_rows, failure)) {
        if (d.watch.pending) throw *d.watch.pending;
        throw SanitizeError(reason::malformed, "JPEG: " + failure);
    }
    return out;
}

namespace {

// Compressed bytes go straight into a string, 64 KiB at a time.
struct StringDestination {
    jpeg_destination_mgr pub;
    std::string* out;
    std::array<JOCTET, 65536> buffer;
};

void dest_init(j_compress_ptr c) {
    auto* d = reinterpret_cast<StringDestination*>(c->dest);
    d->pub.next_output_byte = d->buffer.data();
    d->pub.free_in_buffer = d->buffer.size();
}

boolean dest_empty(j_compress_ptr c) {
    auto* d = reinterpret_cast<StringDestination*>(c->dest);
    bool ok = true;
    try {
        d->out->append(reinterpret_cast<const char*>(d->buffer.data()), d->buffer.size());
    } catch (...) {
        ok = false;
    }
    if (!ok) {
        auto* err = reinterpret_cast<ErrorManager*>(c->err);
        err->code = reason::limit_memory;
        std::snprintf(err->message, sizeof err->message, "out of memory writing JPEG");
        error_exit(reinterpret_cast<j_common_ptr>(c));
    }
    d->pub.next_output_byte = d->buffer.data();
    d->pub.free_in_buffer = d->buffer.size();
    return TRUE;
}

void dest_term(j_compress_ptr c) {
    auto* d = reinterpret_cast<StringDestination*>(c->dest);
    std::size_t used = d->buffer.size() - d->pub.free_in_buffer;
    bool ok = true;
    try {
        d->out->append(reinterpret_cast<const char*>(d->buffer.data()), used);
    } catch (...) {
        ok = false;
    }
    if (!ok) {
        reinterpret_cast<ErrorManager*>(c->err)->code = reason::limit_memory;
        error_exit(reinterpret_cast<j_common_ptr>(c));
    }
}

struct Compressor {
    jpeg_compress_struct cinfo{};
    ErrorManager err{};
    StringDestination dest{};
    Compressor() {
        cinfo.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = error_exit;
        err.pub.emit_message = [](j_common_ptr, int) {};
        jpeg_create_compress(&cinfo);
    }
    ~Compressor() { jpeg_destroy_compress(&cinfo); }
};

// The header both writers emit: the density in dots per inch when the source gave one, then our own
// EXIF (orientation and date only, built fresh) when the policy keeps it. Never a source segment.
void start_with_header(jpeg_compress_struct& cinfo, const JpegEncodeOptions& options) {
    if (options.density.known() && options.density.x < 65536 && options.density.y < 65536) {
        cinfo.density_unit = 1;
        cinfo.X_density = static_cast<UINT16>(std::max(1.0, options.density.x + 0.5));
        cinfo.Y_density = static_cast<UINT16>(std::max(1.0, options.density.y + 0.5));
    }
    jpeg_start_compress(&cinfo, TRUE);
    if (!options.exif.empty())
        jpeg_write_marker(&cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(options.exif.data()),
                          static_cast<unsigned>(options.exif.size()));
}

bool run_encode(Compressor& c, RowSource& rows, const JpegEncodeOptions& options, std::vector<std::uint8_t>& scratch) {
    if (setjmp(c.err.jump)) return false;
    jpeg_compress_struct& cinfo = c.cinfo;
    c.dest.pub.init_destination = dest_init;
    c.dest.pub.empty_output_buffer = dest_empty;
    c.dest.pub.term_destination = dest_term;
    cinfo.dest = &c.dest.pub;

    cinfo.image_width = rows.width();
    cinfo.image_height = rows.height();
    switch (rows.layout()) {
    case Layout::gray: cinfo.in_color_space = JCS_GRAYSCALE, cinfo.input_components = 1; break;
    case Layout::rgb: cinfo.in_color_space = JCS_RGB, cinfo.input_components = 3; break;
    case Layout::bgrx: cinfo.in_color_space = JCS_EXT_BGRX, cinfo.input_components = 4; break;
    default: return false;
    }
    jpeg_set_defaults(&cinfo);
    if (options.gray && rows.layout() != Layout::gray) jpeg_set_colorspace(&cinfo, JCS_GRAYSCALE);
    jpeg_set_quality(&cinfo, std::clamp(options.quality, 1, 100), TRUE);
    if (cinfo.num_components == 3) {
        int f = options.full_chroma ? 1 : 2;
        cinfo.comp_info[0].h_samp_factor = f;
        cinfo.comp_info[0].v_samp_factor = f;
    }
    start_with_header(cinfo, options);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(rows.row(cinfo.next_scanline, scratch.data()));
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    return true;
}

}  // namespace

std::string encode_jpeg(RowSource& rows, const JpegEncodeOptions& options) {
    if (rows.depth() != 8 || options.exif.size() > 65533)
        throw SanitizeError(reason::internal, "JPEG encoder given 16-bit rows or an oversized EXIF block");
    std::string out;
    // About 4 bits a pixel: room that is reserved is not touched until written, so no page is spent
    // for nothing, and the string rarely has to be copied while it grows.
    out.reserve(static_cast<std::size_t>(rows.width()) * rows.height() / 2 + 65536);
    std::vector<std::uint8_t> scratch(rows.row_bytes());
    Compressor c;
    c.dest.out = &out;
    if (!run_encode(c, rows, options, scratch)) {
        if (c.err.code == reason::limit_memory) throw std::bad_alloc();
        throw SanitizeError(reason::internal, "JPEG encoder: " + error_text(c.err));
    }
    return out;
}

namespace {

bool header_run(Decompressor& d, std::string_view bytes, const ImageLimits& limits, JpegHeader& out, std::string& failure) {
    if (setjmp(d.err.jump)) {
        failure = error_text(d.err);
        return false;
    }
    jpeg_decompress_struct& cinfo = d.cinfo;
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    save_markers(cinfo);
    jpeg_read_header(&cinfo, TRUE);
    check_dimensions(cinfo.image_width, cinfo.image_height, limits, "JPEG");
    out.traits = traits_of(cinfo);
    read_markers(cinfo, out.facts);
    JOCTET* icc = nullptr;
    unsigned int icc_len = 0;
    if (jpeg_read_icc_profile(&cinfo, &icc, &icc_len) && icc) {
        out.facts.icc.assign(reinterpret_cast<const char*>(icc), icc_len);
        std::free(icc);
    }
    out.cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    out.gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
    if (cinfo.saw_JFIF_marker && cinfo.density_unit != 0 && cinfo.X_density && cinfo.Y_density) {
        double per_inch = cinfo.density_unit == 2 ? 2.54 : 1.0;
        out.facts.density = {cinfo.X_density * per_inch, cinfo.Y_density * per_inch};
    }
    return true;
}

// A decoder and an encoder sharing one error manager, so that either one's error jumps to the same place.
struct Transcoder {
    jpeg_decompress_struct d{};
    jpeg_compress_struct c{};
    ErrorManager err{};
    jpeg_progress_mgr progress{};
    StringDestination dest{};
    Watch watch;
    std::vector<std::vector<JSAMPLE>> planes;
    std::vector<std::vector<JSAMPROW>> rows;
    std::vector<JSAMPARRAY> image;

    Transcoder() {
        d.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = error_exit;
        err.pub.emit_message = emit_message;
        jpeg_create_decompress(&d);
        c.err = &err.pub;
        jpeg_create_compress(&c);
        watch.err = &err;
        d.client_data = &watch;
    }
    ~Transcoder() {
        jpeg_destroy_compress(&c);
        jpeg_destroy_decompress(&d);
    }
    Transcoder(const Transcoder&) = delete;
};

enum class Transcoded { done, failed, not_applicable };

Transcoded transcode_run(Transcoder& t, std::string_view bytes, const ImageLimits& limits, const JpegEncodeOptions& options,
                         std::uint64_t& trailing) {
    if (setjmp(t.err.jump)) return Transcoded::failed;
    jpeg_decompress_struct& d = t.d;
    jpeg_mem_src(&d, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    d.mem->max_memory_to_use = static_cast<long>(std::min<std::uint64_t>(limits.max_pixels * 8 + (64u << 20), 1ull << 40));
    t.progress.progress_monitor = Watch::monitor;
    d.progress = &t.progress;
    jpeg_read_header(&d, TRUE);
    check_dimensions(d.image_width, d.image_height, limits, "JPEG");
    const bool gray = d.jpeg_color_space == JCS_GRAYSCALE && d.num_components == 1;
    const bool ycc = d.jpeg_color_space == JCS_YCbCr && d.num_components == 3;
    if (!gray && !ycc) return Transcoded::not_applicable;
    for (int ci = 0; ci < d.num_components; ++ci) {
        const auto& comp = d.comp_info[ci];
        bool luma = ci == 0;
        if (comp.h_samp_factor < 1 || comp.v_samp_factor < 1 || comp.h_samp_factor > 2 || comp.v_samp_factor > 2 ||
            (!luma && (comp.h_samp_factor != 1 || comp.v_samp_factor != 1)))
            return Transcoded::not_applicable;
    }
    d.raw_data_out = TRUE;
    d.out_color_space = d.jpeg_color_space;
    jpeg_start_decompress(&d);

    jpeg_compress_struct& c = t.c;
    t.dest.pub.init_destination = dest_init;
    t.dest.pub.empty_output_buffer = dest_empty;
    t.dest.pub.term_destination = dest_term;
    c.dest = &t.dest.pub;
    c.image_width = d.image_width;
    c.image_height = d.image_height;
    c.input_components = d.num_components;
    c.in_color_space = gray ? JCS_GRAYSCALE : JCS_YCbCr;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, std::clamp(options.quality, 1, 100), TRUE);
    for (int ci = 0; ci < d.num_components; ++ci) {
        c.comp_info[ci].h_samp_factor = d.comp_info[ci].h_samp_factor;
        c.comp_info[ci].v_samp_factor = d.comp_info[ci].v_samp_factor;
    }
    c.raw_data_in = TRUE;
    start_with_header(c, options);

    // One row of blocks per component: v_samp x 8 rows of width_in_blocks x 8 samples.
    for (int ci = 0; ci < d.num_components; ++ci) {
        std::size_t width = static_cast<std::size_t>(std::max(d.comp_info[ci].width_in_blocks, c.comp_info[ci].width_in_blocks)) * DCTSIZE;
        std::size_t lines = static_cast<std::size_t>(d.comp_info[ci].v_samp_factor) * DCTSIZE;
        t.planes[ci].assign(width * lines, 0);
        t.rows[ci].resize(lines);
        for (std::size_t r = 0; r < lines; ++r) t.rows[ci][r] = t.planes[ci].data() + r * width;
        t.image[ci] = t.rows[ci].data();
    }
    const JDIMENSION lines = static_cast<JDIMENSION>(d.max_v_samp_factor * DCTSIZE);
    while (d.output_scanline < d.output_height) {
        if (jpeg_read_raw_data(&d, t.image.data(), lines) == 0) {
            std::snprintf(t.err.message, sizeof t.err.message, "decoder stopped at row %u", d.output_scanline);
            error_exit(reinterpret_cast<j_common_ptr>(&d));
        }
        jpeg_write_raw_data(&c, t.image.data(), lines);
    }
    jpeg_finish_compress(&c);
    jpeg_finish_decompress(&d);
    trailing = d.src ? d.src->bytes_in_buffer : 0;
    return Transcoded::done;
}

}  // namespace

JpegHeader read_jpeg_header(std::string_view bytes, const ImageLimits& limits) {
    Decompressor d;
    JpegHeader out;
    std::string failure;
    if (!header_run(d, bytes, limits, out, failure)) throw SanitizeError(reason::malformed, "JPEG: " + failure);
    return out;
}

std::optional<std::string> transcode_jpeg(std::string_view bytes, const ImageLimits& limits,
                                          const JpegEncodeOptions& options, std::uint64_t& trailing) {
    if (options.exif.size() > 65533) throw SanitizeError(reason::internal, "oversized EXIF block");
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4 + 65536);
    auto t = std::make_unique<Transcoder>();
    t->watch.limits = &limits;
    t->dest.out = &out;
    t->planes.resize(MAX_COMPONENTS);
    t->rows.resize(MAX_COMPONENTS);
    t->image.resize(MAX_COMPONENTS);
    switch (transcode_run(*t, bytes, limits, options, trailing)) {
    case Transcoded::done: return out;
    case Transcoded::not_applicable: return std::nullopt;
    case Transcoded::failed: break;
    }
    if (t->watch.pending) throw *t->watch.pending;
    if (t->err.code == reason::limit_memory) throw std::bad_alloc();
    throw SanitizeError(reason::malformed, "JPEG: " + error_text(t->err));
}

int pick_jpeg_quality(int estimated, int configured, int floor) {
    if (configured > 0) return std::clamp(configured, 1, 100);
    if (estimated <= 0) return 90;
    return std::clamp(estimated, floor, 95);
}

}  // namespace mugaika::image
