#include "gif_codec.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

struct Source {
    std::string_view bytes;
    std::size_t offset = 0;
};

int read_bytes(GifFileType* gif, GifByteType* out, int n) {
    auto* s = static_cast<Source*>(gif->UserData);
    std::size_t take = std::min<std::size_t>(n < 0 ? 0 : static_cast<std::size_t>(n), s->bytes.size() - s->offset);
    std::memcpy(out, s->bytes.data() + s->offset, take);
    s->offset += take;
    return static_cast<int>(take);
}

struct DecoderCloser {
    void operator()(GifFileType* g) const {
        int err = 0;
        DGifCloseFile(g, &err);
    }
};

[[noreturn]] void fail(GifFileType* gif, const std::string& what) {
    const char* why = gif ? GifErrorString(gif->Error) : nullptr;
    throw SanitizeError(reason::malformed, "GIF: " + what + (why ? std::string(": ") + why : std::string()));
}

std::vector<Rgba> palette_of(const ColorMapObject* map) {
    std::vector<Rgba> p;
    if (!map || !map->Colors) return p;
    int n = std::clamp(map->ColorCount, 0, 256);
    for (int i = 0; i < n; ++i) p.push_back({map->Colors[i].Red, map->Colors[i].Green, map->Colors[i].Blue, 255});
    return p;
}

// The rest of an extension's sub-blocks, skipped.
void skip_blocks(GifFileType* gif, GifByteType* block) {
    while (block) {
        if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) fail(gif, "damaged extension");
    }
}

}  // namespace

GifAnimation decode_gif(std::string_view bytes, const ImageLimits& limits) {
    Source src{bytes};
    int err = 0;
    std::unique_ptr<GifFileType, DecoderCloser> owner(DGifOpen(&src, read_bytes, &err));
    if (!owner) throw SanitizeError(reason::malformed, std::string("GIF: ") + (GifErrorString(err) ? GifErrorString(err) : "unreadable"));
    GifFileType* gif = owner.get();

    GifAnimation out;
    check_dimensions(static_cast<std::uint32_t>(std::max(0, gif->SWidth)), static_cast<std::uint32_t>(std::max(0, gif->SHeight)),
                     limits, "GIF screen");
    out.width = static_cast<std::uint32_t>(gif->SWidth);
    out.height = static_cast<std::uint32_t>(gif->SHeight);
    out.palette = palette_of(gif->SColorMap);
    out.background = gif->SBackGroundColor;

    GraphicsControlBlock gcb{DISPOSAL_UNSPECIFIED, false, 0, NO_TRANSPARENT_COLOR};
    bool have_gcb = false;
    std::uint64_t total_pixels = 0;
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    do {
        limits.tick();
        if (DGifGetRecordType(gif, &type) == GIF_ERROR) fail(gif, "damaged or truncated");
        if (type == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(gif) == GIF_ERROR) fail(gif, "damaged image descriptor");
            check_frames(out.frames.size() + 1, limits, "GIF");
            const GifImageDesc& d = gif->Image;
            if (d.Left < 0 || d.Top < 0 || d.Width <= 0 || d.Height <= 0) fail(nullptr, "frame with an impossible size");
            auto w = static_cast<std::uint32_t>(d.Width), h = static_cast<std::uint32_t>(d.Height);
            check_dimensions(w, h, limits, "GIF frame");
            total_pixels += static_cast<std::uint64_t>(w) * h;
            if (total_pixels > limits.max_pixels)
                throw SanitizeError(reason::limit_pixels, "GIF frames hold more than " + std::to_string(limits.max_pixels) +
                                                              " pixels together");
            GifFrame f;
            f.left = static_cast<std::uint32_t>(d.Left);
            f.top = static_cast<std::uint32_t>(d.Top);
            f.width = w;
            f.height = h;
            f.palette = palette_of(d.ColorMap);
            if (f.palette.empty() && out.palette.empty()) fail(nullptr, "frame without any colour table");
            f.indices.resize(static_cast<std::size_t>(w) * h);
            auto read_row = [&](std::uint32_t y) {
                if (DGifGetLine(gif, f.indices.data() + static_cast<std::size_t>(y) * w, static_cast<int>(w)) == GIF_ERROR)
                    fail(gif, "damaged or truncated image data");
            };
            if (d.Interlace) {
                static constexpr std::uint32_t start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
                for (int pass = 0; pass < 4; ++pass)
                    for (std::uint32_t y = start[pass]; y < h; y += step[pass]) read_row(y);
            } else {
                for (std::uint32_t y = 0; y < h; ++y) read_row(y);
            }
            if (have_gcb) {
                f.delay_cs = std::max(0, gcb.DelayTime);
                f.disposal = gcb.DisposalMode >= 0 && gcb.DisposalMode <= 3 ? gcb.DisposalMode : 0;
                f.transparent = gcb.TransparentColor >= 0 && gcb.TransparentColor <= 255 ? gcb.TransparentColor : -1;
            }
            have_gcb = false;
            out.frames.push_back(std::move(f));
        } else if (type == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType* block = nullptr;
            if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) fail(gif, "damaged extension");
            if (code == GRAPHICS_EXT_FUNC_CODE && block && block[0] >= 4) {
                if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_ERROR) fail(gif, "damaged graphics control");
                have_gcb = true;
            } else if (code == APPLICATION_EXT_FUNC_CODE && block && block[0] == 11 &&
                       (std::memcmp(block + 1, "NETSCAPE2.0", 11) == 0 || std::memcmp(block + 1, "ANIMEXTS1.0", 11) == 0)) {
                if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) fail(gif, "damaged loop extension");
                if (block && block[0] >= 3 && block[1] == 1) out.loop_count = block[2] | (block[3] << 8);
            } else if (code == COMMENT_EXT_FUNC_CODE) {
                out.facts.drop("comment");
            } else if (code == PLAINTEXT_EXT_FUNC_CODE) {
                out.facts.drop("plain text");
            } else if (code == APPLICATION_EXT_FUNC_CODE) {
                bool xmp = block && block[0] == 11 && std::memcmp(block + 1, "XMP DataXMP", 11) == 0;
                bool icc = block && block[0] == 11 && std::memcmp(block + 1, "ICCRGBG1012", 11) == 0;
                out.facts.drop(xmp ? "XMP" : icc ? "ICC" : "application extension");
            } else {
                out.facts.drop("extension");
            }
            skip_blocks(gif, block);
        } else if (type != TERMINATE_RECORD_TYPE) {
            fail(nullptr, "unknown record");
        }
    } while (type != TERMINATE_RECORD_TYPE);
    if (out.frames.empty()) fail(nullptr, "no image in the file");
    out.facts.frames = static_cast<std::uint32_t>(out.frames.size());
    out.facts.trailing_bytes = bytes.size() - src.offset;
    return out;
}

namespace {

struct Sink {
    std::string* out;
    bool failed = false;
};

int write_bytes(GifFileType* gif, const GifByteType* data, int n) {
    auto* s = static_cast<Sink*>(gif->UserData);
    try {
        s->out->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    } catch (...) {
        s->failed = true;
        return 0;
    }
    return n;
}

struct MapDeleter {
    void operator()(ColorMapObject* m) const { GifFreeMapObject(m); }
};
using Map = std::unique_ptr<ColorMapObject, MapDeleter>;

// A colour table big enough for every index used (a GIF's table size is a power of two, 2 to 256);
// indices beyond the original table are black, as decoders show them.
Map make_map(const std::vector<Rgba>& palette, int needed) {
    int size = 2;
    while (size < std::max<int>(needed, static_cast<int>(palette.size())) && size < 256) size *= 2;
    std::vector<GifColorType> colors(static_cast<std::size_t>(size), GifColorType{0, 0, 0});
    for (std::size_t i = 0; i < palette.size() && i < colors.size(); ++i)
        colors[i] = GifColorType{palette[i][0], palette[i][1], palette[i][2]};
    Map m(GifMakeMapObject(size, colors.data()));
    if (!m) throw std::bad_alloc();
    return m;
}

}  // namespace

std::string encode_gif(const GifAnimation& gif, std::size_t frames) {
    std::size_t count = frames == 0 ? gif.frames.size() : std::min(frames, gif.frames.size());
    std::string out;
    Sink sink{&out};
    int err = 0;
    GifFileType* raw = EGifOpen(&sink, write_bytes, &err);
    if (!raw) throw std::bad_alloc();
    struct Closer {
        GifFileType* g;
        ~Closer() {
            int e = 0;
            if (g) EGifCloseFile(g, &e);
        }
    } closer{raw};
    auto check = [&](int status, const char* what) {
        if (status == GIF_ERROR) {
            if (sink.failed) throw std::bad_alloc();
            throw SanitizeError(reason::internal, std::string("GIF encoder: ") + what);
        }
    };

    // Indices used with the global table decide its size.
    int global_needed = 0;
    for (std::size_t i = 0; i < count; ++i)
        if (gif.frames[i].palette.empty())
            for (std::uint8_t v : gif.frames[i].indices) global_needed = std::max(global_needed, v + 1);
    Map global = gif.palette.empty() ? Map() : make_map(gif.palette, global_needed);
    EGifSetGifVersion(raw, true);
    int background = global && gif.background < global->ColorCount ? gif.background : 0;
    check(EGifPutScreenDesc(raw, static_cast<int>(gif.width), static_cast<int>(gif.height), 8, background, global.get()),
          "screen");
    if (count > 1 && gif.loop_count >= 0) {
        check(EGifPutExtensionLeader(raw, APPLICATION_EXT_FUNC_CODE), "loop");
        check(EGifPutExtensionBlock(raw, 11, "NETSCAPE2.0"), "loop");
        unsigned char loop[3] = {1, static_cast<unsigned char>(gif.loop_count & 0xff),
                                 static_cast<unsigned char>((gif.loop_count >> 8) & 0xff)};
        check(EGifPutExtensionBlock(raw, 3, loop), "loop");
        check(EGifPutExtensionTrailer(raw), "loop");
    }

    std::vector<GifPixelType> line;
    std::size_t written = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const GifFrame& f = gif.frames[i];
        // Parts of a frame outside the screen are never shown: they are not written.
        if (f.left >= gif.width || f.top >= gif.height) continue;
        ++written;
        std::uint32_t w = std::min(f.width, gif.width - f.left), h = std::min(f.height, gif.height - f.top);
        if (f.transparent >= 0 || f.delay_cs > 0 || f.disposal != 0) {
            GraphicsControlBlock gcb{f.disposal, false, f.delay_cs, f.transparent >= 0 ? f.transparent : NO_TRANSPARENT_COLOR};
            GifByteType ext[4];
            std::size_t n = EGifGCBToExtension(&gcb, ext);
            check(EGifPutExtension(raw, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext), "graphics control");
        }
        Map local;
        if (!f.palette.empty()) {
            int needed = 0;
            for (std::uint8_t v : f.indices) needed = std::max(needed, v + 1);
            local = make_map(f.palette, needed);
        }
        check(EGifPutImageDesc(raw, static_cast<int>(f.left), static_cast<int>(f.top), static_cast<int>(w),
                               static_cast<int>(h), false, local.get()),
              "image descriptor");
        line.resize(w);
        for (std::uint32_t y = 0; y < h; ++y) {
            // giflib masks the line in place: it gets a copy.
            std::memcpy(line.data(), f.indices.data() + static_cast<std::size_t>(y) * f.width, w);
            check(EGifPutLine(raw, line.data(), static_cast<int>(w)), "image data");
        }
    }
    if (written == 0) throw SanitizeError(reason::malformed, "GIF: no frame lies on the screen");
    closer.g = nullptr;
    if (EGifCloseFile(raw, &err) == GIF_ERROR) {
        if (sink.failed) throw std::bad_alloc();
        throw SanitizeError(reason::internal, "GIF encoder: close");
    }
    return out;
}

}  // namespace mugaika::image
