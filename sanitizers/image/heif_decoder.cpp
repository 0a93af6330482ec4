#include "heif_decoder.hpp"

#include <libheif/heif.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

struct ContextFree {
    void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleFree {
    void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageFree {
    void operator()(heif_image* i) const { heif_image_release(i); }
};
struct OptionsFree {
    void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
};

[[noreturn]] void fail(const heif_error& e, const char* what) {
    std::string detail = std::string("HEIF: ") + what + ": " + (e.message ? e.message : "error");
    switch (e.code) {
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature: throw SanitizeError(reason::unsupported, detail);
    case heif_error_Memory_allocation_error: throw SanitizeError(reason::limit_memory, detail);
    default: break;
    }
    if (e.subcode == heif_suberror_Security_limit_exceeded) throw SanitizeError(reason::limit_pixels, detail);
    throw SanitizeError(reason::malformed, detail);
}

}  // namespace

DecodedHeif decode_heif(std::string_view bytes, const ImageLimits& limits) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const int size = bytes.size() > INT32_MAX ? INT32_MAX : static_cast<int>(bytes.size());
    // HEVC-coded HEIF only: AVIF (AV1) and anything else libheif might read is another format.
    const char* type = heif_get_file_mime_type(data, size);
    std::string mime = type ? type : "";
    if (mime != "image/heic" && mime != "image/heif" && mime != "image/heic-sequence" && mime != "image/heif-sequence")
        throw SanitizeError(reason::unsupported, "HEIF family file of type " + (mime.empty() ? std::string("unknown") : mime));

    std::unique_ptr<heif_context, ContextFree> ctx(heif_context_alloc());
    if (!ctx) throw std::bad_alloc();
    heif_context_set_max_decoding_threads(ctx.get(), 0);   // grid tiles in this thread: no thread pool
    // libheif's own bound (width x width) backs ours up for images it assembles from tiles.
    heif_context_set_maximum_image_size_limit(ctx.get(), static_cast<int>(std::min<double>(std::sqrt(double(limits.max_pixels)) + 1, INT32_MAX)));
    heif_error e = heif_context_read_from_memory_without_copy(ctx.get(), data, bytes.size(), nullptr);
    if (e.code != heif_error_Ok) fail(e, "container");

    heif_image_handle* raw_handle = nullptr;
    e = heif_context_get_primary_image_handle(ctx.get(), &raw_handle);
    if (e.code != heif_error_Ok) fail(e, "primary image");
    std::unique_ptr<heif_image_handle, HandleFree> handle(raw_handle);
    int w = heif_image_handle_get_width(handle.get()), h = heif_image_handle_get_height(handle.get());
    check_dimensions(w > 0 ? w : 0, h > 0 ? h : 0, limits, "HEIF");

    DecodedHeif out;
    int images = heif_context_get_number_of_top_level_images(ctx.get());
    if (images > 1) {
        out.facts.frames = static_cast<std::uint32_t>(images);
        out.facts.frames_note = "HEIF with " + std::to_string(images) + " images: the primary image kept";
    }
    if (heif_image_handle_get_number_of_thumbnails(handle.get()) > 0) out.facts.drop("thumbnail");
    if (heif_image_handle_has_depth_image(handle.get())) out.facts.drop("depth map");
    int blocks = heif_image_handle_get_number_of_metadata_blocks(handle.get(), nullptr);
    if (blocks > 0 && blocks < 1000) {
        std::vector<heif_item_id> ids(static_cast<std::size_t>(blocks));
        heif_image_handle_get_list_of_metadata_block_IDs(handle.get(), nullptr, ids.data(), blocks);
        for (heif_item_id id : ids) {
            std::string type = heif_image_handle_get_metadata_type(handle.get(), id);
            if (type == "Exif") {
                out.facts.drop("EXIF");
                std::size_t n = heif_image_handle_get_metadata_size(handle.get(), id);
                if (n > 4 && n < (1u << 20) && out.facts.exif.empty()) {
                    std::string blob(n, '\0');
                    if (heif_image_handle_get_metadata(handle.get(), id, blob.data()).code == heif_error_Ok) {
                        // Four bytes of offset to the TIFF header, then (usually) "Exif\0\0".
                        std::uint32_t skip = (std::uint8_t(blob[0]) << 24) | (std::uint8_t(blob[1]) << 16) |
                                             (std::uint8_t(blob[2]) << 8) | std::uint8_t(blob[3]);
                        if (skip < n - 4) {
                            std::string tiff = blob.substr(4 + skip);
                            out.facts.exif = tiff.starts_with(std::string_view("Exif\0\0", 6)) ? tiff : std::string("Exif\0\0", 6) + tiff;
                        }
                    }
                }
            } else {
                out.facts.drop(type == "mime" ? "XMP" : "metadata");
            }
        }
    }
    heif_color_profile_type profile = heif_image_handle_get_color_profile_type(handle.get());
    if (profile == heif_color_profile_type_prof || profile == heif_color_profile_type_rICC) {
        std::size_t n = heif_image_handle_get_raw_color_profile_size(handle.get());
        if (n > 0 && n < (4u << 20)) {
            out.facts.icc.assign(n, '\0');
            if (heif_image_handle_get_raw_color_profile(handle.get(), out.facts.icc.data()).code != heif_error_Ok)
                out.facts.icc.clear();
        }
        out.facts.drop("ICC");
    }
    out.facts.oriented = true;   // irot/imir/clap are applied by libheif
    limits.tick();

    bool alpha = heif_image_handle_has_alpha_channel(handle.get());
    std::unique_ptr<heif_decoding_options, OptionsFree> options(heif_decoding_options_alloc());
    if (!options) throw std::bad_alloc();
    options->convert_hdr_to_8bit = 1;
    options->strict_decoding = 1;
    options->decoder_id = "libde265";
    heif_image* raw_image = nullptr;
    e = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, options.get());
    if (e.code != heif_error_Ok) fail(e, "decoding");
    std::unique_ptr<heif_image, ImageFree> image(raw_image);
    int stride = 0;
    const std::uint8_t* plane = heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
    int iw = heif_image_get_width(image.get(), heif_channel_interleaved);
    int ih = heif_image_get_height(image.get(), heif_channel_interleaved);
    if (!plane || iw <= 0 || ih <= 0 || stride <= 0) throw SanitizeError(reason::malformed, "HEIF: no decoded pixels");
    check_dimensions(static_cast<std::uint32_t>(iw), static_cast<std::uint32_t>(ih), limits, "HEIF image");
    out.image = Raster(static_cast<std::uint32_t>(iw), static_cast<std::uint32_t>(ih), alpha ? Layout::rgba : Layout::rgb);
    if (static_cast<std::size_t>(stride) < out.image.stride()) throw SanitizeError(reason::malformed, "HEIF: short rows");
    for (std::uint32_t y = 0; y < out.image.height(); ++y)
        std::memcpy(out.image.row(y), plane + static_cast<std::size_t>(y) * stride, out.image.stride());
    return out;
}

}  // namespace mugaika::image
