#include "image_sanitizer.hpp"

#include <charconv>

#include "bmp_decoder.hpp"
#include "color.hpp"
#include "exif_facts.hpp"
#include "gif_codec.hpp"
#include "heif_decoder.hpp"
#include "jpeg_codec.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "orientation.hpp"
#include "pixel_ops.hpp"
#include "png_codec.hpp"
#include "svg_rasterizer.hpp"
#include "tiff_decoder.hpp"
#include "webp_decoder.hpp"

namespace mugaika {
namespace {

using namespace image;

struct Options {
    bool keep_basic = false;
    int jpeg_quality = 90;         // conversions to JPEG, and every JPEG with jpeg_mode = "fixed"
    bool jpeg_match = true;        // a JPEG is written at about its own quality
    bool animation = true;         // GIF frames kept
    std::uint32_t svg_size = 1024;
    int png_level = kDefaultPngLevel;   // zlib level of every PNG written
    ImageLimits limits;
};

std::uint64_t number(const Context& ctx, std::string_view key) {
    const std::string& v = ctx.option(key);
    std::uint64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
}

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}

std::string_view label_of(std::string_view type) {
    const FileType* t = find_file_type(type);
    return t ? label_ja(*t) : "画像";
}

// One picture being rebuilt: what it held is reported, the pixels are written in the output format.
class Rebuild {
public:
    Rebuild(const Input& in, Context& ctx, const Options& opt) : in_(in), ctx_(ctx), opt_(opt), type_(in.type->id) {}

    std::vector<Output> run() {
        if (type_ == "jpeg") return jpeg();
        if (type_ == "png") return png();
        if (type_ == "gif") return gif();
        if (type_ == "bmp") {
            DecodedBmp d = decode_bmp(in_.bytes, opt_.limits);
            return {still(std::move(d.image), d.facts, "png")};
        }
        if (type_ == "tiff") return tiff();
        if (type_ == "webp") {
            DecodedWebp d = decode_webp(in_.bytes, opt_.limits);
            bool lossless = d.lossless || has_alpha(d.image.layout());
            return {still(std::move(d.image), d.facts, lossless ? "png" : "jpeg")};
        }
        if (type_ == "heic") {
            DecodedHeif d = decode_heif(in_.bytes, opt_.limits);
            bool alpha = has_alpha(d.image.layout()) && !all_opaque(d.image);
            return {still(std::move(d.image), d.facts, alpha ? "png" : "jpeg")};
        }
        if (type_ == "svg") return svg();
        throw SanitizeError(reason::unsupported, "no image rebuild for " + std::string(type_));
    }

private:
    std::vector<Output> jpeg() {
        // Most photos need no turn and no colour profile applied: decoded and encoded in one pass on
        // their YCbCr samples, with no full-size buffer at all.
        JpegHeader h = read_jpeg_header(in_.bytes, opt_.limits);
        ExifFacts header_exif = h.facts.exif.empty() ? ExifFacts{} : read_exif(h.facts.exif);
        bool color = false;
        if (!h.facts.icc.empty() && !h.gray && !h.cmyk) {
            std::string why;
            color = ColorConverter::from_icc(h.facts.icc, ColorInput::rgb, why) != nullptr;
        }
        if (header_exif.orientation == 1 && !h.cmyk && !color) {
            int quality = opt_.jpeg_match ? pick_jpeg_quality(h.traits.quality, 0) : opt_.jpeg_quality;
            JpegEncodeOptions eo{quality, h.traits.full_chroma, h.gray, app1(header_exif), h.facts.density};
            std::uint64_t trailing = 0;
            if (auto fresh = transcode_jpeg(in_.bytes, opt_.limits, eo, trailing)) {
                h.facts.trailing_bytes = trailing;
                report_facts(h.facts, header_exif);
                rebuilt("JPEG re-encoded from its decoded samples at quality " + std::to_string(quality) +
                        (h.traits.quality ? " (the original's is about " + std::to_string(h.traits.quality) + ")" : ""));
                return {Output{"", "jpeg", std::move(*fresh)}};
            }
        }
        DecodedJpeg d = decode_jpeg(in_.bytes, opt_.limits);
        ExifFacts exif = report(d.facts);
        if (!d.facts.icc.empty()) note_color(d.color_note);
        int quality = opt_.jpeg_match ? pick_jpeg_quality(d.traits.quality, 0) : opt_.jpeg_quality;
        JpegEncodeOptions eo{quality, d.traits.full_chroma, d.image.layout() == Layout::gray, app1(exif), d.facts.density};
        OrientedRows rows(d.image, orientation(exif, d.facts));
        Output out{"", "jpeg", encode_jpeg(rows, eo)};
        rebuilt("JPEG re-encoded from pixels at quality " + std::to_string(quality) +
                (d.traits.quality ? " (the original's is about " + std::to_string(d.traits.quality) + ")" : ""));
        return {std::move(out)};
    }

    std::vector<Output> png() {
        DecodedPng d = decode_png(in_.bytes, opt_.limits);
        return {still(std::move(d.image), d.facts, "png")};
    }

    std::vector<Output> gif() {
        GifAnimation g = decode_gif(in_.bytes, opt_.limits);
        report(g.facts);
        std::size_t frames = opt_.animation ? 0 : 1;
        if (!opt_.animation && g.frames.size() > 1)
            ctx_.add("image.frames", Action::removed,
                     "animation of " + std::to_string(g.frames.size()) + " frames: the first kept (animation = \"first\")",
                     "アニメーションGIFの最初のコマだけを残しました(設定による)。");
        Output out{"", "gif", encode_gif(g, frames)};
        rebuilt("GIF re-encoded from its frames (" + std::to_string(opt_.animation ? g.frames.size() : 1) + " of " +
                std::to_string(g.frames.size()) + ")");
        return {std::move(out)};
    }

    std::vector<Output> tiff() {
        DecodedTiff d = decode_tiff(in_.bytes, opt_.limits);
        if (d.gps) d.facts.drop("GPS");
        ExifFacts exif;
        exif.date = d.date;
        exif.gps = d.gps;
        report_facts(d.facts, exif);
        if (!d.facts.icc.empty()) {
            std::string why;
            bool any = false;
            for (auto& p : d.pages) any = apply_profile(p.image, d.facts.icc, why) || any;
            if (any) note_color(why);
        }
        std::vector<Output> outputs;
        const bool many = d.pages.size() > 1;
        std::string stem = with_extension(in_.name, "");
        for (std::size_t i = 0; i < d.pages.size(); ++i) {
            ctx_.check_time();
            TiffPage& p = d.pages[i];
            if (p.orientation != 1) note_orientation(p.orientation);
            OrientedRows rows(p.image, p.orientation);
            std::string name = many ? stem + "-" + std::to_string(i + 1) + ".png" : "";
            outputs.push_back(Output{name, "png", write_png(rows, p.image, basic_exif(exif), p.density)});
        }
        converted("png", many ? std::to_string(d.pages.size()) + " pages, one PNG each" : "");
        if (many)
            ctx_.add("image.pages", Action::converted, std::to_string(d.pages.size()) + " pages written as separate PNG files",
                     "複数ページのTIFFを、1ページずつ" + std::to_string(d.pages.size()) + "枚のPNG画像に分けました。");
        rebuilt("TIFF pages re-encoded from pixels");
        return outputs;
    }

    std::vector<Output> svg() {
        SvgResult r = rasterize_svg(in_.bytes, opt_.svg_size, opt_.limits);
        if (!r.removed.empty())
            ctx_.add("svg.removed", Action::removed, "not drawn: " + joined(r.removed),
                     "SVGに含まれていたスクリプトや外部への参照などを取り除いてから描画しました。");
        simplify(r.image);
        RasterRows rows(r.image);
        PngEncodeOptions po;
        po.compression = opt_.png_level;
        std::string png = encode_png(rows, po);
        ctx_.add("svg.rasterized", Action::converted,
                 "drawn by librsvg at " + std::to_string(r.image.width()) + " x " + std::to_string(r.image.height()) +
                     " pixels" + (r.images_rebuilt ? ", " + std::to_string(r.images_rebuilt) + " embedded images rebuilt" : ""),
                 "SVG画像を描画してPNG画像に変換しました(拡張子も.pngになります)。");
        return {Output{"", "png", std::move(png)}};
    }

    // A still picture from any decoder, written as `format` ("png" or "jpeg").
    Output still(Raster image, SourceFacts& facts, std::string_view format) {
        ExifFacts exif = report(facts);
        std::string why;
        if (apply_profile(image, facts.icc, why)) note_color(why);
        int orient = orientation(exif, facts);
        std::string bytes;
        if (format == "jpeg") {
            if (has_alpha(image.layout())) drop_alpha(image);   // only opaque pictures are sent here
            to_8bit(image);
            int quality = opt_.jpeg_quality;
            JpegEncodeOptions eo{quality, false, image.layout() == Layout::gray, app1(exif), facts.density};
            OrientedRows rows(image, orient);
            bytes = encode_jpeg(rows, eo);
        } else {
            simplify(image);
            OrientedRows rows(image, orient);
            bytes = write_png(rows, image, basic_exif(exif), facts.density);
        }
        if (format != type_) converted(format, "");
        rebuilt(std::string(format == "jpeg" ? "JPEG" : "PNG") + " written from the decoded pixels");
        return Output{"", std::string(format), std::move(bytes)};
    }

    std::string write_png(RowSource& rows, const Raster& image, const std::string& exif, Density density) {
        PngEncodeOptions po;
        po.exif = exif;
        po.density = density;
        po.bilevel = all_bilevel(image);
        po.compression = opt_.png_level;
        return encode_png(rows, po);
    }

    // ICC to sRGB for RGB(A) pixels; 16-bit pictures go to 8 bits first (lcms is used at 8 bits).
    bool apply_profile(Raster& image, const std::string& icc, std::string& why) {
        if (icc.empty()) return false;
        if (image.layout() == Layout::indexed) {   // a palette picture: its colours are converted, not its pixels
            auto palette = ColorConverter::from_icc(icc, ColorInput::rgba, why);
            if (!palette) return false;
            for (auto& entry : image.palette) palette->convert(entry.data(), entry.data(), 1);
            return true;
        }
        if (image.layout() != Layout::rgb && image.layout() != Layout::rgba) return false;
        ColorInput input = image.layout() == Layout::rgba ? ColorInput::rgba : ColorInput::rgb;
        auto probe = ColorConverter::from_icc(icc, input, why);
        if (!probe) return false;
        to_8bit(image);
        for (std::uint32_t y = 0; y < image.height(); ++y) {
            if ((y & 1023) == 0) ctx_.check_time();
            probe->convert(image.row(y), image.row(y), image.width());
        }
        return true;
    }

    int orientation(const ExifFacts& exif, const SourceFacts& facts) {
        if (facts.oriented) return 1;
        int o = exif.orientation != 1 ? exif.orientation : facts.orientation;
        if (o != 1) note_orientation(o);
        return o;
    }

    ExifFacts report(const SourceFacts& facts) {
        ExifFacts exif = facts.exif.empty() ? ExifFacts{} : read_exif(facts.exif);
        report_facts(facts, exif);
        return exif;
    }

    void report_facts(const SourceFacts& facts, const ExifFacts& exif) {
        if (!facts.dropped.empty())
            ctx_.add("image.metadata", Action::removed, "not copied: " + joined(facts.dropped) +
                                                            (opt_.keep_basic && !exif.date.empty() ? " (the date is written again)" : ""),
                     "画像に付いていた付加情報(撮影情報・コメント・色情報など)を削除しました。");
        if (exif.gps)
            ctx_.add("image.gps", Action::removed, "GPS position removed",
                     "画像に記録されていた撮影場所の位置情報(GPS)を削除しました。");
        if (facts.trailing_bytes > 0)
            ctx_.add("image.trailing_data", Action::removed,
                     std::to_string(facts.trailing_bytes) + " bytes after the end of the image",
                     "画像データの終わりの後ろに付け足されていたデータ(" + std::to_string(facts.trailing_bytes) +
                         "バイト)を削除しました。");
        if (!facts.frames_note.empty())
            ctx_.add("image.frames", Action::removed, facts.frames_note,
                     "複数のコマ(画像)のうち、最初の1枚だけを残しました。");
    }

    void note_color(const std::string& why) {
        ctx_.add("image.color_profile", Action::converted, why,
                 "埋め込まれていたカラープロファイルに従って、色を標準のsRGBに変換しました。");
    }

    void note_orientation(int o) {
        if (oriented_noted_) return;
        oriented_noted_ = true;
        ctx_.add("image.orientation", Action::converted, "orientation " + std::to_string(o) + " applied to the pixels",
                 "撮影時の向きの情報に合わせて、画像そのものを回転しました。");
    }

    void converted(std::string_view format, const std::string& extra) {
        std::string to = format == "jpeg" ? "JPEG" : "PNG";
        ctx_.add("image.converted", Action::converted,
                 std::string(type_) + " written as " + std::string(format) + (extra.empty() ? "" : " (" + extra + ")"),
                 std::string(label_of(type_)) + "を" + to + "形式に変換しました(拡張子も変わります)。");
    }

    void rebuilt(const std::string& detail) {
        ctx_.add("image.rebuilt", Action::converted, detail,
                 "画像を画素データから新しく作り直しました(元のファイルのデータはそのまま残していません)。");
    }

    // keep = "basic": the date taken, in a minimal EXIF block of our own.
    std::string basic_exif(const ExifFacts& exif) const {
        return opt_.keep_basic && !exif.date.empty() ? build_basic_exif(exif.date) : std::string();
    }
    std::string app1(const ExifFacts& exif) const {
        std::string tiff = basic_exif(exif);
        return tiff.empty() ? tiff : std::string("Exif\0\0", 6) + tiff;
    }

    const Input& in_;
    Context& ctx_;
    const Options& opt_;
    std::string_view type_;
    bool oriented_noted_ = false;
};

class ImageSanitizer final : public Sanitizer {
public:
    std::string_view name() const override { return "image"; }
    std::vector<std::string> types() const override { return {"png", "jpeg", "gif", "bmp", "tiff", "webp", "heic", "svg"}; }
    std::vector<OptionSpec> options() const override {
        return {
            {"keep", "none", {"none", "basic"}, "metadata kept: none, or basic (the date taken; orientation is applied to the pixels). GPS never crosses"},
            {"max_pixels", "120000000", {}, "width x height of one picture, or of all frames of an animation or pages of a TIFF together", 1, 1ull << 34},
            {"max_frames", "1000", {}, "frames of an animation, pages of a TIFF", 1, 100000},
            {"jpeg_mode", "match", {"match", "fixed"}, "a JPEG is written again at about its own quality (80-95), or at jpeg_quality"},
            {"jpeg_quality", "90", {}, "JPEG quality for pictures converted to JPEG (HEIC, lossy WebP), and for every JPEG with jpeg_mode = \"fixed\"", 1, 100},
            {"animation", "keep", {"keep", "first"}, "animated GIF: keep every frame, or the first frame only"},
            {"svg_size", "1024", {}, "longest side in pixels of a rasterised SVG (its own size when smaller)", 16, 16384},
            {"png_level", std::to_string(kDefaultPngLevel), {}, "zlib level of the PNG files written (1 fastest, 9 smallest)", 1, 9},
        };
    }

    std::vector<Output> sanitize(const Input& in, Context& ctx) const override {
        Options opt;
        opt.keep_basic = ctx.option("keep") == "basic";
        opt.jpeg_quality = static_cast<int>(number(ctx, "jpeg_quality"));
        opt.jpeg_match = ctx.option("jpeg_mode") == "match";
        opt.animation = ctx.option("animation") == "keep";
        opt.svg_size = static_cast<std::uint32_t>(number(ctx, "svg_size"));
        opt.png_level = static_cast<int>(number(ctx, "png_level"));
        opt.limits.max_pixels = number(ctx, "max_pixels");
        opt.limits.max_frames = static_cast<std::uint32_t>(number(ctx, "max_frames"));
        opt.limits.check_time = [&ctx] { ctx.check_time(); };
        Rebuild rebuild(in, ctx, opt);
        return rebuild.run();
    }
};

}  // namespace

std::shared_ptr<const Sanitizer> make_image_sanitizer() { return std::make_shared<ImageSanitizer>(); }

}  // namespace mugaika
