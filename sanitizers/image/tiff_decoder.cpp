#include "tiff_decoder.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <memory>

#include "exif_facts.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "pixel_ops.hpp"

namespace mugaika::image {
namespace {

struct Source {
    std::string_view bytes;
    toff_t offset = 0;
    char error[256] = {};
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
    auto* s = static_cast<Source*>(h);
    if (n < 0 || s->offset > s->bytes.size()) return -1;
    auto take = std::min<toff_t>(static_cast<toff_t>(n), s->bytes.size() - s->offset);
    std::memcpy(buf, s->bytes.data() + s->offset, take);
    s->offset += take;
    return static_cast<tmsize_t>(take);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return -1; }
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
    auto* s = static_cast<Source*>(h);
    toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->offset : s->bytes.size();
    if (off > UINT64_MAX - base) return static_cast<toff_t>(-1);
    s->offset = base + off;
    return s->offset;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<Source*>(h)->bytes.size(); }

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    auto* s = static_cast<Source*>(user);
    if (s->error[0] == 0) std::vsnprintf(s->error, sizeof s->error, fmt, ap);
    return 1;   // handled: nothing reaches libtiff's global handler (stderr)
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
    void operator()(TIFF* t) const { TIFFClose(t); }
};
struct OptionsFree {
    void operator()(TIFFOpenOptions* o) const { TIFFOpenOptionsFree(o); }
};

bool allowed_compression(std::uint16_t c) {
    switch (c) {
    case COMPRESSION_NONE:
    case COMPRESSION_CCITTRLE:
    case COMPRESSION_CCITTFAX3:
    case COMPRESSION_CCITTFAX4:
    case COMPRESSION_LZW:
    case COMPRESSION_JPEG:
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
    case COMPRESSION_PACKBITS: return true;
    default: return false;
    }
}

bool allowed_photometric(std::uint16_t p) {
    switch (p) {
    case PHOTOMETRIC_MINISWHITE:
    case PHOTOMETRIC_MINISBLACK:
    case PHOTOMETRIC_RGB:
    case PHOTOMETRIC_PALETTE:
    case PHOTOMETRIC_SEPARATED:
    case PHOTOMETRIC_YCBCR: return true;
    default: return false;
    }
}

void note_tags(TIFF* tif, DecodedTiff& out) {
    SourceFacts& f = out.facts;
    std::uint32_t count = 0;
    void* data = nullptr;
    if (TIFFGetField(tif, TIFFTAG_ICCPROFILE, &count, &data) && data && count) {
        f.icc.assign(static_cast<const char*>(data), count);
        f.drop("ICC");
    }
    if (TIFFGetField(tif, TIFFTAG_XMLPACKET, &count, &data)) f.drop("XMP");
    if (TIFFGetField(tif, TIFFTAG_RICHTIFFIPTC, &count, &data)) f.drop("IPTC");
    if (TIFFGetField(tif, TIFFTAG_PHOTOSHOP, &count, &data)) f.drop("Photoshop");
    toff_t sub = 0;
    if (TIFFGetField(tif, TIFFTAG_EXIFIFD, &sub)) f.drop("EXIF");
    if (TIFFGetField(tif, TIFFTAG_GPSIFD, &sub)) {
        out.gps = true;
        f.drop("GPS");
    }
    for (ttag_t tag : {TIFFTAG_IMAGEDESCRIPTION, TIFFTAG_MAKE, TIFFTAG_MODEL, TIFFTAG_SOFTWARE, TIFFTAG_ARTIST,
                       TIFFTAG_COPYRIGHT, TIFFTAG_HOSTCOMPUTER, TIFFTAG_DOCUMENTNAME, TIFFTAG_PAGENAME}) {
        char* text = nullptr;
        if (TIFFGetField(tif, tag, &text) && text) f.drop("text tags");
    }
    char* date = nullptr;
    if (TIFFGetField(tif, TIFFTAG_DATETIME, &date) && date) {
        out.date = clean_exif_date(date);
        f.drop("text tags");
    }
}

Density density_of(TIFF* tif) {
    float x = 0, y = 0;
    std::uint16_t unit = RESUNIT_INCH;
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    if (!TIFFGetField(tif, TIFFTAG_XRESOLUTION, &x) || !TIFFGetField(tif, TIFFTAG_YRESOLUTION, &y)) return {};
    if (!(x > 0 && y > 0 && x < 1e6 && y < 1e6) || unit == RESUNIT_NONE) return {};
    double per_inch = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
    return {x * per_inch, y * per_inch};
}

}  // namespace

DecodedTiff decode_tiff(std::string_view bytes, const ImageLimits& limits) {
    Source src{bytes};
    std::unique_ptr<TIFFOpenOptions, OptionsFree> opts(TIFFOpenOptionsAlloc());
    if (!opts) throw std::bad_alloc();
    TIFFOpenOptionsSetErrorHandlerExtR(opts.get(), on_error, &src);
    TIFFOpenOptionsSetWarningHandlerExtR(opts.get(), on_warning, &src);
    // One allocation inside libtiff (a strip, a tile, a tag array) may not exceed what the largest
    // allowed page needs at 16 bits and 4 samples.
    TIFFOpenOptionsSetMaxSingleMemAlloc(opts.get(), static_cast<tmsize_t>(std::min<std::uint64_t>(limits.max_pixels * 8 + (16u << 20), INT64_MAX)));
    // "m": never memory-map; "r": read only.
    std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpenExt("input", "rm", &src, read_proc, write_proc, seek_proc, close_proc,
                                                            size_proc, nullptr, nullptr, opts.get()));
    if (!tif) throw SanitizeError(reason::malformed, std::string("TIFF: ") + (src.error[0] ? src.error : "unreadable"));

    DecodedTiff out;
    tdir_t directories = TIFFNumberOfDirectories(tif.get());
    check_frames(directories, limits, "TIFF");
    if (directories == 0) throw SanitizeError(reason::malformed, "TIFF without a page");
    std::uint64_t total = 0;
    for (tdir_t d = 0; d < directories; ++d) {
        limits.tick();
        if (!TIFFSetDirectory(tif.get(), d))
            throw SanitizeError(reason::malformed, std::string("TIFF: page ") + std::to_string(d + 1) + ": " + src.error);
        if (d == 0) note_tags(tif.get(), out);
        std::uint32_t kind = 0;
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SUBFILETYPE, &kind);
        if (kind & FILETYPE_REDUCEDIMAGE) {   // a thumbnail of another page
            out.facts.drop("thumbnail");
            continue;
        }
        std::uint32_t w = 0, h = 0;
        std::uint16_t compression = COMPRESSION_NONE, photometric = 0, orientation = ORIENTATION_TOPLEFT;
        TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h);
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_COMPRESSION, &compression);
        if (!TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric))
            throw SanitizeError(reason::malformed, "TIFF page without a photometric interpretation");
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_ORIENTATION, &orientation);
        std::string page = "TIFF page " + std::to_string(d + 1);
        if (!allowed_compression(compression))
            throw SanitizeError(reason::unsupported, page + ": compression " + std::to_string(compression) + " is not on the allowlist");
        if (!allowed_photometric(photometric))
            throw SanitizeError(reason::unsupported, page + ": photometric " + std::to_string(photometric) + " is not on the allowlist");
        check_dimensions(w, h, limits, page);
        total += static_cast<std::uint64_t>(w) * h;
        if (total > limits.max_pixels)
            throw SanitizeError(reason::limit_pixels, "TIFF pages hold more than " + std::to_string(limits.max_pixels) + " pixels together");

        char message[1024] = {};
        if (!TIFFRGBAImageOK(tif.get(), message))
            throw SanitizeError(reason::unsupported, page + ": " + message);
        TIFFRGBAImage img{};
        if (!TIFFRGBAImageBegin(&img, tif.get(), 1, message))
            throw SanitizeError(reason::malformed, page + ": " + message);
        img.req_orientation = img.orientation;   // rows as stored; the orientation is applied when written
        TiffPage p;
        p.orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
        p.density = density_of(tif.get());
        bool ok = false;
        try {
            p.image = Raster(w, h, Layout::rgba);
            ok = TIFFRGBAImageGet(&img, reinterpret_cast<std::uint32_t*>(p.image.data()), w, h) == 1;
        } catch (...) {
            TIFFRGBAImageEnd(&img);
            throw;
        }
        TIFFRGBAImageEnd(&img);
        if (!ok) throw SanitizeError(reason::malformed, page + ": " + (src.error[0] ? src.error : "damaged image data"));
        if (p.orientation != 1 && out.facts.orientation == 1) out.facts.orientation = p.orientation;
        unpremultiply(p.image);   // libtiff's RGBA interface hands out premultiplied alpha
        simplify(p.image);
        out.pages.push_back(std::move(p));
    }
    if (out.pages.empty()) throw SanitizeError(reason::malformed, "TIFF holds only thumbnails");
    out.facts.frames = static_cast<std::uint32_t>(out.pages.size());
    out.facts.oriented = false;
    return out;
}

}  // namespace mugaika::image
