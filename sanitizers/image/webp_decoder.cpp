#include "webp_decoder.hpp"

#include <webp/decode.h>
#include <webp/demux.h>

#include <cstring>
#include <memory>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

struct DemuxDeleter {
    void operator()(WebPDemuxer* d) const { WebPDemuxDelete(d); }
};
struct AnimDeleter {
    void operator()(WebPAnimDecoder* d) const { WebPAnimDecoderDelete(d); }
};

std::string chunk(const WebPDemuxer* dmux, const char* fourcc) {
    WebPChunkIterator it;
    std::string out;
    if (WebPDemuxGetChunk(dmux, fourcc, 1, &it)) out.assign(reinterpret_cast<const char*>(it.chunk.bytes), it.chunk.size);
    WebPDemuxReleaseChunkIterator(&it);
    return out;
}

}  // namespace

DecodedWebp decode_webp(std::string_view bytes, const ImageLimits& limits) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    // Only the RIFF container: libwebp would also take a bare VP8 bitstream.
    if (bytes.size() < 20 || bytes.substr(0, 4) != "RIFF" || bytes.substr(8, 4) != "WEBP")
        throw SanitizeError(reason::malformed, "WebP: not a RIFF WEBP file");
    WebPBitstreamFeatures features;
    if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK)
        throw SanitizeError(reason::malformed, "WebP: unreadable header");
    WebPData wd{data, bytes.size()};
    std::unique_ptr<WebPDemuxer, DemuxDeleter> dmux(WebPDemux(&wd));   // NULL for a damaged or partial file
    if (!dmux) throw SanitizeError(reason::malformed, "WebP: damaged or truncated container");
    std::uint32_t width = WebPDemuxGetI(dmux.get(), WEBP_FF_CANVAS_WIDTH);
    std::uint32_t height = WebPDemuxGetI(dmux.get(), WEBP_FF_CANVAS_HEIGHT);
    std::uint32_t frames = WebPDemuxGetI(dmux.get(), WEBP_FF_FRAME_COUNT);
    std::uint32_t flags = WebPDemuxGetI(dmux.get(), WEBP_FF_FORMAT_FLAGS);
    check_dimensions(width, height, limits, "WebP");
    check_frames(frames, limits, "WebP");

    DecodedWebp out;
    if (flags & ICCP_FLAG) {
        out.facts.icc = chunk(dmux.get(), "ICCP");
        out.facts.drop("ICC");
    }
    if (flags & EXIF_FLAG) {
        std::string exif = chunk(dmux.get(), "EXIF");
        // The chunk holds the TIFF structure; some writers put the JPEG-style prefix in front too.
        out.facts.exif = exif.starts_with(std::string_view("Exif\0\0", 6)) ? exif : std::string("Exif\0\0", 6) + exif;
        out.facts.drop("EXIF");
    }
    if (flags & XMP_FLAG) out.facts.drop("XMP");
    // RIFF size + 8 is the file; anything after it belongs to no chunk.
    std::uint64_t riff = 8ull + (data[4] | (data[5] << 8) | (data[6] << 16) | (static_cast<std::uint64_t>(data[7]) << 24));
    if (bytes.size() > riff) out.facts.trailing_bytes = bytes.size() - riff;
    out.lossless = features.format == 2;
    limits.tick();

    if (features.has_animation) {
        WebPAnimDecoderOptions options;
        if (!WebPAnimDecoderOptionsInit(&options)) throw SanitizeError(reason::internal, "libwebp version mismatch");
        options.color_mode = MODE_RGBA;
        options.use_threads = 0;
        std::unique_ptr<WebPAnimDecoder, AnimDeleter> dec(WebPAnimDecoderNew(&wd, &options));
        if (!dec) throw SanitizeError(reason::malformed, "WebP: damaged animation");
        std::uint8_t* canvas = nullptr;
        int timestamp = 0;
        if (!WebPAnimDecoderGetNext(dec.get(), &canvas, &timestamp) || !canvas)
            throw SanitizeError(reason::malformed, "WebP: damaged first frame");
        out.image = Raster(width, height, Layout::rgba);
        std::memcpy(out.image.data(), canvas, out.image.size_bytes());
        out.facts.frames = frames;
        out.facts.frames_note = "animated WebP: the first of " + std::to_string(frames) + " frames kept";
        return out;
    }

    if (static_cast<std::uint32_t>(features.width) != width || static_cast<std::uint32_t>(features.height) != height)
        throw SanitizeError(reason::malformed, "WebP: canvas and image sizes disagree");
    bool alpha = features.has_alpha;
    out.image = Raster(width, height, alpha ? Layout::rgba : Layout::rgb);
    std::uint8_t* done = alpha ? WebPDecodeRGBAInto(data, bytes.size(), out.image.data(), out.image.size_bytes(),
                                                    static_cast<int>(out.image.stride()))
                               : WebPDecodeRGBInto(data, bytes.size(), out.image.data(), out.image.size_bytes(),
                                                   static_cast<int>(out.image.stride()));
    if (!done) throw SanitizeError(reason::malformed, "WebP: damaged or truncated image data");
    return out;
}

}  // namespace mugaika::image
