#include "pdf_image_reencode.hpp"

#include <cairo.h>
#include <dlfcn.h>

#include <bit>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../image/jpeg_codec.hpp"
#include "../image/raster.hpp"

static_assert(std::endian::native == std::endian::little, "cairo's RGB24 is read as B, G, R, X bytes");

namespace mugaika::pdf {

struct ReencodeScope::State {
    std::map<std::string, std::shared_ptr<const std::string>> by_id;   // cairo unique id -> our JPEG
    std::size_t reencoded = 0;
    std::size_t dropped = 0;
};

namespace {

thread_local ReencodeScope::State* current = nullptr;

using SetMimeData = cairo_status_t (*)(cairo_surface_t*, const char*, const unsigned char*, unsigned long,
                                       cairo_destroy_func_t, void*);

SetMimeData real_set_mime_data() {
    static const SetMimeData real = reinterpret_cast<SetMimeData>(dlsym(RTLD_NEXT, "cairo_surface_set_mime_data"));
    return real;
}

// Rows of a cairo RGB24 image surface, as the JPEG encoder reads them.
class SurfaceRows final : public image::RowSource {
public:
    SurfaceRows(const unsigned char* data, int width, int height, int stride)
        : data_(data), width_(static_cast<std::uint32_t>(width)), height_(static_cast<std::uint32_t>(height)), stride_(stride) {}
    std::uint32_t width() const override { return width_; }
    std::uint32_t height() const override { return height_; }
    image::Layout layout() const override { return image::Layout::bgrx; }
    const std::uint8_t* row(std::uint32_t y, std::uint8_t*) override { return data_ + static_cast<std::size_t>(y) * stride_; }

    bool gray() const {
        for (std::uint32_t y = 0; y < height_; ++y) {
            const unsigned char* p = data_ + static_cast<std::size_t>(y) * stride_;
            for (std::uint32_t x = 0; x < width_; ++x, p += 4)
                if (p[0] != p[1] || p[1] != p[2]) return false;
        }
        return true;
    }

private:
    const unsigned char* data_;
    std::uint32_t width_, height_;
    int stride_;
};

// A fresh JPEG of what poppler decoded into `surface`, or nullptr (cairo then writes it losslessly).
std::shared_ptr<const std::string> reencode(ReencodeScope::State& state, cairo_surface_t* surface,
                                            const unsigned char* original, unsigned long length) noexcept {
    try {
        if (cairo_surface_get_type(surface) != CAIRO_SURFACE_TYPE_IMAGE ||
            cairo_image_surface_get_format(surface) != CAIRO_FORMAT_RGB24)
            return nullptr;   // an image with alpha: JPEG cannot hold it
        const unsigned char* id = nullptr;
        unsigned long id_length = 0;
        cairo_surface_get_mime_data(surface, CAIRO_MIME_TYPE_UNIQUE_ID, &id, &id_length);
        std::string key = id ? std::string(reinterpret_cast<const char*>(id), id_length) : std::string();
        if (!key.empty())
            if (auto it = state.by_id.find(key); it != state.by_id.end()) return it->second;

        cairo_surface_flush(surface);
        const unsigned char* data = cairo_image_surface_get_data(surface);
        int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
        if (!data || w <= 0 || h <= 0) return nullptr;
        SurfaceRows rows(data, w, h, cairo_image_surface_get_stride(surface));
        // The original's header only tells how it was compressed, so that size and look stay close.
        image::JpegTraits traits = image::read_jpeg_traits(
            std::string_view(reinterpret_cast<const char*>(original), length));
        image::JpegEncodeOptions options;
        options.quality = image::pick_jpeg_quality(traits.quality, 0);
        options.full_chroma = traits.full_chroma;
        options.gray = traits.components == 1 || rows.gray();
        auto fresh = std::make_shared<const std::string>(image::encode_jpeg(rows, options));
        ++state.reencoded;
        if (!key.empty()) state.by_id.emplace(std::move(key), fresh);
        return fresh;
    } catch (...) {
        return nullptr;
    }
}

void release_holder(void* holder) { delete static_cast<std::shared_ptr<const std::string>*>(holder); }

}  // namespace

ReencodeScope::ReencodeScope() : state_(new State), previous_(current) { current = state_; }

ReencodeScope::~ReencodeScope() {
    current = previous_;
    delete state_;
}

std::size_t ReencodeScope::jpeg_reencoded() const { return state_->reencoded; }
std::size_t ReencodeScope::dropped() const { return state_->dropped; }

bool image_guard_active() {
    static const bool active = [] {
        void* seen = dlsym(RTLD_DEFAULT, "cairo_surface_set_mime_data");
        return seen == reinterpret_cast<void*>(&::cairo_surface_set_mime_data) && real_set_mime_data() != nullptr;
    }();
    return active;
}

}  // namespace mugaika::pdf

// The interposer (see the header). The original bytes are never attached: they are released here
// and, for a JPEG, our own encoding takes their place.
extern "C" __attribute__((visibility("default"))) cairo_status_t cairo_surface_set_mime_data(
    cairo_surface_t* surface, const char* mime_type, const unsigned char* data, unsigned long length,
    cairo_destroy_func_t destroy, void* closure) {
    using namespace mugaika::pdf;
    SetMimeData real = real_set_mime_data();
    if (!real) {
        if (destroy && data) destroy(closure);
        return CAIRO_STATUS_SUCCESS;
    }
    // Detaching, and cairo's own tag for recognising a repeated image, pass.
    if (!mime_type || !data || std::strcmp(mime_type, CAIRO_MIME_TYPE_UNIQUE_ID) == 0)
        return real(surface, mime_type, data, length, destroy, closure);

    std::shared_ptr<const std::string> fresh;
    if (current && std::strcmp(mime_type, CAIRO_MIME_TYPE_JPEG) == 0) fresh = reencode(*current, surface, data, length);
    if (destroy) destroy(closure);
    if (!fresh) {
        bool image = std::strcmp(mime_type, CAIRO_MIME_TYPE_JPEG) == 0 || std::strcmp(mime_type, CAIRO_MIME_TYPE_JP2) == 0 ||
                     std::strcmp(mime_type, CAIRO_MIME_TYPE_JBIG2) == 0 || std::strcmp(mime_type, CAIRO_MIME_TYPE_CCITT_FAX) == 0;
        if (current && image) ++current->dropped;
        return CAIRO_STATUS_SUCCESS;
    }
    auto* holder = new (std::nothrow) std::shared_ptr<const std::string>(fresh);
    if (!holder) return CAIRO_STATUS_SUCCESS;
    if (real(surface, CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(fresh->data()), fresh->size(),
             release_holder, holder) != CAIRO_STATUS_SUCCESS)
        delete holder;
    return CAIRO_STATUS_SUCCESS;
}
