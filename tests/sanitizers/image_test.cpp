// Standalone pictures: each one is made by an independent tool, often hostile, and the output is
// read back by independent readers (image_check.py, identify, compare, exiftool).
#include <doctest/doctest.h>

#include <map>

#include "image_support.hpp"
#include "mugaika/reasons.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::image;

namespace {

const std::string kIcc = "/usr/share/color/icc/compatibleWithAdobeRGB1998.icc";

// A picture that looks different in each corner, so that any wrong turn shows.
std::string source_png(const TempDir& t, int w = 96, int h = 64) {
    return convert(t, "-depth 8 -size " + std::to_string(w) + "x" + std::to_string(h) +
                          " gradient:navy-orange -fill red -draw 'rectangle 0,0 20,12' -fill lime -draw 'rectangle " +
                          std::to_string(w - 16) + "," + std::to_string(h - 10) + " " + std::to_string(w - 1) + "," +
                          std::to_string(h - 1) + "'",
                   "src.png");
}

// The one output (a copy: the outcome is often a temporary).
Output only_output(const Outcome& o) {
    REQUIRE_MESSAGE(o.verdict == Verdict::disarmed, (o.reason + " " + o.reason_detail));
    REQUIRE(o.outputs.size() == 1);
    return o.outputs[0];
}

// Nothing but the segments a plain baseline JPEG needs (APP0 JFIF, tables, frame, scan, EOI).
void check_plain_jpeg(const std::string& bytes, bool exif_allowed = false) {
    auto s = structure(bytes);
    REQUIRE(s["format"] == "jpeg");
    CHECK(s["trailing"] == 0);
    for (const auto& m : s["markers"]) {
        std::string marker = m;
        bool ok = marker == "E0" || marker == "DB" || marker == "C0" || marker == "C4" || marker == "DA" || marker == "D9" ||
                  (exif_allowed && marker == "E1");
        CHECK_MESSAGE(ok, "segment " << marker);
    }
}

void check_plain_png(const std::string& bytes, bool exif_allowed = false) {
    auto s = structure(bytes);
    REQUIRE(s["format"] == "png");
    CHECK(s["trailing"] == 0);
    for (const auto& c : s["chunks"]) {
        std::string chunk = c;
        bool ok = chunk == "IHDR" || chunk == "PLTE" || chunk == "tRNS" || chunk == "pHYs" || chunk == "IDAT" ||
                  chunk == "IEND" || (exif_allowed && chunk == "eXIf");
        CHECK_MESSAGE(ok, "chunk " << chunk);
    }
}

}  // namespace

TEST_CASE("image jpeg: comment, EXIF with GPS, XMP, ICC and data after EOI are gone, the pixels stay") {
    TempDir t;
    source_png(t);
    std::string original = convert(t, "src.png -quality 90", "a.jpg");
    std::string hostile = make_with(t, "exiftool -q -overwrite_original -Comment='<html><script>alert(1)</script>' "
                                       "-GPSLatitude=35.6895 -GPSLatitudeRef=N -GPSLongitude=139.6917 -GPSLongitudeRef=E "
                                       "-XMP-dc:Description='payload' '-ICC_Profile<=/usr/share/color/icc/sRGB.icc' a.jpg",
                                "a.jpg");
    hostile += std::string("PK\x03\x04", 4) + "evil.exe" + std::string("MZ\x90\0", 4) + "This program";
    Outcome o = sanitize(hostile, "現場写真.jpg");
    const Output out = only_output(o);
    CHECK(out.type == "jpeg");
    CHECK(out.name == "現場写真.jpg");
    for (auto kind : {"image.gps", "image.trailing_data", "image.metadata", "image.rebuilt"}) CHECK_MESSAGE(has_finding(o, kind), kind);
    check_plain_jpeg(out.bytes);
    auto tags = exif_tags(out.bytes);
    for (auto group : {"IFD0", "ExifIFD", "GPS", "XMP", "ICC", "Photoshop", "IPTC"}) CHECK_MESSAGE(!any_tag_group(tags, group), group);
    CHECK_FALSE(tags.contains("File:Comment"));
    for (auto bad : {"<script", "PK\x03\x04", "This program", "payload"}) CHECK(out.bytes.find(bad) == std::string::npos);
    CHECK(psnr(original, out.bytes) >= 30);
}

TEST_CASE("image jpeg: every EXIF orientation is applied to the pixels") {
    TempDir t;
    source_png(t, 60, 40);
    convert(t, "src.png -quality 95", "base.jpg");
    for (int orientation = 1; orientation <= 8; ++orientation) {
        CAPTURE(orientation);
        std::string tagged = make_with(t, "cp base.jpg o.jpg && exiftool -q -overwrite_original -Orientation#=" +
                                              std::to_string(orientation) + " o.jpg",
                                       "o.jpg");
        // ImageMagick's own reading of the tag is the reference.
        std::string upright = convert(t, "o.jpg -auto-orient", "upright.png");
        Outcome o = sanitize(tagged, "o.jpg");
        const Output out = only_output(o);
        CHECK(has_finding(o, "image.orientation") == (orientation != 1));
        CHECK(identify(out.bytes, "%w %h") == identify(upright, "%w %h"));
        CHECK(psnr(upright, out.bytes) >= 30);
        CHECK(exif_tags(out.bytes).value("IFD0:Orientation", 1) == 1);
    }
}

TEST_CASE("image jpeg: keep = basic keeps the date taken and nothing else, GPS never crosses") {
    TempDir t;
    source_png(t);
    convert(t, "src.png", "a.jpg");
    std::string tagged = make_with(t, "exiftool -q -overwrite_original -DateTimeOriginal='2024:05:01 10:20:30' -Make=Evil "
                                      "-Artist='山田' -GPSLatitude=35 -GPSLatitudeRef=N -Orientation#=3 a.jpg",
                                   "a.jpg");
    Outcome basic = sanitize(tagged, "a.jpg", {{"keep", "basic"}});
    const Output out = only_output(basic);
    check_plain_jpeg(out.bytes, true);
    auto tags = exif_tags(out.bytes);
    CHECK(tags.value("ExifIFD:DateTimeOriginal", "") == "2024:05:01 10:20:30");
    CHECK(tags.value("IFD0:Orientation", 0) == 1);
    CHECK_FALSE(tags.contains("IFD0:Make"));
    CHECK_FALSE(tags.contains("IFD0:Artist"));
    CHECK_FALSE(any_tag_group(tags, "GPS"));
    CHECK(has_finding(basic, "image.gps"));

    const Output none = only_output(sanitize(tagged, "a.jpg"));
    CHECK_FALSE(any_tag_group(exif_tags(none.bytes), "ExifIFD"));
}

TEST_CASE("image jpeg: an Adobe RGB profile is applied (sRGB out, no profile left), CMYK becomes RGB") {
    TempDir t;
    source_png(t);
    std::string adobe = convert(t, "src.png -profile " + kIcc + " -quality 95", "adobe.jpg");
    std::string reference = convert(t, "adobe.jpg -profile /usr/share/color/icc/sRGB.icc", "reference.png");
    Outcome o = sanitize(adobe, "adobe.jpg");
    const Output out = only_output(o);
    CHECK(has_finding(o, "image.color_profile"));
    check_plain_jpeg(out.bytes);
    CHECK(psnr(reference, out.bytes) >= 30);
    // Without the conversion the colours would be visibly off.
    CHECK(psnr(adobe, out.bytes) < psnr(reference, out.bytes));

    std::string cmyk = convert(t, "src.png -colorspace CMYK -quality 95", "cmyk.jpg");
    REQUIRE(identify(cmyk, "%[colorspace]") == "CMYK");
    const Output rgb = only_output(sanitize(cmyk, "cmyk.jpg"));
    CHECK(identify(rgb.bytes, "%[colorspace]") == "sRGB");
    CHECK(psnr(convert(t, "cmyk.jpg -colorspace sRGB", "cmyk-ref.png"), rgb.bytes) >= 30);
}

TEST_CASE("image jpeg: truncated, damaged, bombs and fakes are held, never half released") {
    TempDir t;
    source_png(t, 200, 150);
    std::string jpeg = convert(t, "src.png -quality 90", "a.jpg");
    std::string progressive = convert(t, "src.png -interlace JPEG", "p.jpg");
    CHECK(only_output(sanitize(progressive, "p.jpg")).type == "jpeg");

    Outcome truncated = sanitize(jpeg.substr(0, jpeg.size() * 2 / 3), "cut.jpg");
    CHECK(truncated.reason == reason::malformed);
    CHECK(truncated.outputs.empty());
    std::string damaged = jpeg;
    for (std::size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 40; ++i) damaged[i] = '\xFF';
    CHECK(sanitize(damaged, "damaged.jpg").verdict == Verdict::quarantined);

    // The frame header says 60000 x 60000: held before any pixel buffer exists.
    std::string bomb = jpeg;
    auto sof = bomb.find("\xFF\xC0");
    REQUIRE(sof != std::string::npos);
    bomb[sof + 5] = bomb[sof + 7] = '\xEA';
    bomb[sof + 6] = bomb[sof + 8] = '\x60';
    Outcome held = sanitize(bomb, "bomb.jpg");
    CHECK(held.reason == reason::limit_pixels);
    CHECK(held.outputs.empty());
    // A lower pixel limit holds an ordinary photo the same way.
    CHECK(sanitize(jpeg, "a.jpg", {{"max_pixels", "1000"}}).reason == reason::limit_pixels);

    Outcome fake = sanitize(std::string("\xFF\xD8\xFF\xE0", 4) + "<html><script>alert(1)</script></html>", "fake.jpg");
    CHECK(fake.verdict == Verdict::quarantined);
    CHECK(fake.outputs.empty());
}

TEST_CASE("image png: only the pixel chunks are written, text, eXIf, iCCP, unknown chunks and a zip after IEND go") {
    TempDir t;
    std::string original = source_png(t);
    std::string tagged = convert(t, "src.png -set comment '<script>alert(1)</script>' -profile " + kIcc, "tagged.png");
    tagged = make_with(t, "exiftool -q -overwrite_original -GPSLatitude=35 -GPSLatitudeRef=N -PNG:Author=x tagged.png", "tagged.png");
    std::string zip = make_zip({{"payload.exe", "MZ\x90 This program cannot be run in DOS mode"}});
    Outcome o = sanitize(tagged + zip, "図.png");
    const Output out = only_output(o);
    CHECK(out.type == "png");
    for (auto kind : {"image.trailing_data", "image.metadata", "image.gps", "image.color_profile"}) CHECK_MESSAGE(has_finding(o, kind), kind);
    check_plain_png(out.bytes);
    CHECK(out.bytes.find("PK\x03\x04") == std::string::npos);
    CHECK(out.bytes.find("script") == std::string::npos);
    CHECK(psnr(convert(t, "tagged.png -profile /usr/share/color/icc/sRGB.icc", "ref.png"), out.bytes) >= 40);
}

TEST_CASE("image png: palette, transparency, gray, 16-bit and interlaced pictures come back pixel for pixel") {
    TempDir t;
    source_png(t);
    struct Case {
        const char* args;
        const char* layout;
    } cases[] = {
        {"src.png -colors 16 PNG8:", "palette"},
        {"src.png -alpha set -channel A -evaluate set 50% +channel PNG32:", "rgba"},
        {"src.png -colorspace Gray", "gray"},
        {"src.png -type Bilevel", "bilevel"},
        {"src.png -depth 16 PNG48:", "rgb16"},
        {"src.png -interlace PNG", "interlaced"},
        {"src.png -colorspace Gray -alpha set -channel A -evaluate set 30% +channel", "gray+alpha"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.layout);
        std::string args = c.args;
        std::string prefix;
        if (auto colon = args.rfind(' '); colon != std::string::npos && args.back() == ':') {
            prefix = args.substr(colon + 1);
            args = args.substr(0, colon);
        }
        std::string in = make_with(t, kConvert + " " + args + " " + prefix + "in.png", "in.png");
        const Output out = only_output(sanitize(in, "in.png"));
        check_plain_png(out.bytes);
        CHECK(psnr(in, out.bytes) >= 1000);
        CHECK(identify(out.bytes, "%[opaque]") == identify(in, "%[opaque]"));
    }
}

TEST_CASE("image png: png_level trades time for bytes, every level writes the same pixels, 4 is the default") {
    TempDir t;
    // A screen-like picture (flat areas, text, a gradient): deflate finds long matches at a high level.
    std::string in = convert(t, "-size 400x300 gradient:white-skyblue -fill black -pointsize 18 "
                                "-draw \"text 10,40 'mugaika 無害化 level test 0123456789'\" "
                                "-fill red -draw 'rectangle 20,80 380,140' -draw 'circle 200,220 240,260'",
                             "screen.png");
    std::map<std::string, std::string> bytes;
    for (std::string level : {"1", "4", "9"}) {
        CAPTURE(level);
        const Output out = only_output(sanitize(in, "screen.png", {{"png_level", level}}));
        check_plain_png(out.bytes);
        CHECK(psnr(in, out.bytes) >= 1000);   // lossless at every level
        bytes[level] = out.bytes;
    }
    CHECK(bytes["9"].size() <= bytes["4"].size());
    CHECK(bytes["4"].size() < bytes["1"].size());
    CHECK(bytes["9"] != bytes["1"]);
    // The shipped default is level 4: the same bytes as asked for explicitly.
    CHECK(only_output(sanitize(in, "screen.png")).bytes == bytes["4"]);
    Registry r = builtin_registry();
    CHECK_THROWS_AS(parse_policy_text("[sanitizer.image]\npng_level = 0\n", "t.toml", r), ConfigError);
    CHECK_THROWS_AS(parse_policy_text("[sanitizer.image]\npng_level = 10\n", "t.toml", r), ConfigError);
    CHECK_NOTHROW(parse_policy_text("[sanitizer.image]\npng_level = 9\n", "t.toml", r));
}

TEST_CASE("image png: a 100000 x 100000 bomb in a few KB, 8 bytes of PNG magic before HTML, and a truncated file are held") {
    TempDir t;
    std::string bomb = make_with(t, R"(python3 -c "
import struct, zlib
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
raw = zlib.compress(bytes(100001 * 200), 9)
open('bomb.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 0, 0, 0, 0)) + chunk(b'IDAT', raw) + chunk(b'IEND', b''))
")", "bomb.png");
    CHECK(bomb.size() < 100000);
    Outcome held = sanitize(bomb, "bomb.png");
    CHECK(held.reason == reason::limit_pixels);
    CHECK(held.outputs.empty());

    Outcome magic = sanitize(std::string("\x89PNG\r\n\x1a\n", 8) + "<html><body><script>alert(document.cookie)</script>", "x.png");
    CHECK(magic.verdict == Verdict::quarantined);
    CHECK(magic.outputs.empty());

    std::string png = source_png(t, 300, 200);
    Outcome cut = sanitize(png.substr(0, png.size() / 2), "cut.png");
    CHECK(cut.reason == reason::malformed);
    CHECK(cut.outputs.empty());
}

TEST_CASE("image gif: an animation keeps its frames, comments, extensions and trailing data go, a GIF/JScript polyglot is broken") {
    TempDir t;
    std::string gif = convert(t, "-delay 20 -size 40x30 xc:red xc:blue gradient:yellow-green -loop 0 -set comment '*/=1;alert(document.domain)//'",
                              "anim.gif");
    REQUIRE(gif.find("alert(document.domain)") != std::string::npos);
    REQUIRE(identify(gif, "%n") == "3");
    std::string hostile = gif + "<script>alert(2)</script>";
    Outcome o = sanitize(hostile, "anim.gif");
    const Output out = only_output(o);
    CHECK(out.type == "gif");
    CHECK(has_finding(o, "image.metadata"));
    CHECK(has_finding(o, "image.trailing_data"));
    auto s = structure(out.bytes);
    CHECK(s["trailing"] == 0);
    int images = 0;
    for (const auto& b : s["blocks"]) {
        std::string block = b;
        images += block == "image";
        CHECK_MESSAGE((block == "image" || block == "ext:F9" || block == "ext:FF:NETSCAPE2.0" || block == "trailer"), block);
    }
    CHECK(images == 3);
    CHECK(out.bytes.find("alert") == std::string::npos);
    CHECK(identify(out.bytes, "%n") == "3");
    for (int frame = 0; frame < 3; ++frame) {
        std::string sel = "[" + std::to_string(frame) + "]";
        write_file(t / "o.gif", out.bytes);
        std::string a = convert(t, "'anim.gif" + sel + "'", "a.png"), b = convert(t, "'o.gif" + sel + "'", "b.png");
        CHECK(psnr(a, b) >= 1000);
    }

    Outcome first = sanitize(gif, "anim.gif", {{"animation", "first"}});
    CHECK(identify(only_output(first).bytes, "%n") == "1");
    CHECK(has_finding(first, "image.frames"));

    CHECK(sanitize(gif, "anim.gif", {{"max_frames", "2"}}).reason == reason::limit_frames);
    CHECK(sanitize(gif.substr(0, gif.size() - 20), "cut.gif").reason == reason::malformed);
}

TEST_CASE("image bmp: 1, 4, 8 (RLE), 24 and 32-bit BMPs become PNG, pixel for pixel") {
    TempDir t;
    source_png(t);
    for (std::string args : {"-type Bilevel BMP3:b1.bmp", "-colors 16 BMP3:b4.bmp", "-colors 200 -compress RLE BMP3:b8.bmp",
                             "BMP3:b24.bmp", "-alpha set -channel A -evaluate set 60% +channel BMP:b32.bmp",
                             "-flip -define bmp:format=bmp4 BMP:b4v4.bmp"}) {
        CAPTURE(args);
        std::string file = args.substr(args.rfind(':') + 1);
        std::string in = make_with(t, kConvert + " src.png " + args, file);
        Outcome o = sanitize(in, file);
        const Output out = only_output(o);
        CHECK(out.type == "png");
        CHECK(out.name == file.substr(0, file.size() - 4) + ".png");
        CHECK(has_finding(o, "image.converted"));
        check_plain_png(out.bytes);
        CHECK(psnr(in, out.bytes) >= 1000);
    }
    std::string bmp = make_with(t, kConvert + " src.png BMP3:b.bmp", "b.bmp");
    CHECK(sanitize(bmp.substr(0, bmp.size() / 2), "cut.bmp").reason == reason::malformed);
    std::string wide = bmp;
    wide[21] = '\x7f';   // width 0x7f0000xx
    CHECK(sanitize(wide, "wide.bmp").reason == reason::limit_pixels);
    Outcome tail = sanitize(bmp + "<script>x</script>", "tail.bmp");
    CHECK(has_finding(tail, "image.trailing_data"));
}

TEST_CASE("image tiff: a multi-page fax becomes one PNG per page, LZW, Deflate and JPEG pages decode, other codecs are held") {
    TempDir t;
    source_png(t, 120, 80);
    std::string fax = convert(t, "src.png -type Bilevel src.png -negate -type Bilevel src.png -flop -type Bilevel -compress Group4",
                              "fax.tif");
    REQUIRE(identify(fax, "%n") == "3");
    Outcome o = sanitize(fax, "申請書.tif");
    REQUIRE(o.verdict == Verdict::disarmed);
    REQUIRE(o.outputs.size() == 3);
    CHECK(has_finding(o, "image.pages"));
    for (int page = 0; page < 3; ++page) {
        CAPTURE(page);
        const Output out = o.outputs[page];
        CHECK(out.name == "申請書-" + std::to_string(page + 1) + ".png");
        check_plain_png(out.bytes);
        CHECK(identify(out.bytes, "%[bit-depth]") == "1");
        CHECK(psnr(convert(t, "'fax.tif[" + std::to_string(page) + "]'", "p.png"), out.bytes) >= 1000);
    }
    for (std::string codec : {"LZW", "Zip", "JPEG"}) {
        CAPTURE(codec);
        std::string in = convert(t, "src.png -compress " + codec, "c.tif");
        const Output out = only_output(sanitize(in, "c.tif"));
        CHECK(out.type == "png");
        CHECK(psnr(in, out.bytes) >= (codec == "JPEG" ? 40 : 1000));
    }
    std::string deep = convert(t, "src.png -depth 16 -compress Zip", "deep.tif");
    CHECK(psnr(deep, only_output(sanitize(deep, "deep.tif")).bytes) >= 40);   // 16-bit pages are written with 8 bits
    std::string lzw = convert(t, "src.png -compress LZW", "l.tif");
    std::string lzma = make_with(t, "tiffcp -c lzma l.tif lzma.tif", "lzma.tif");
    CHECK(sanitize(lzma, "lzma.tif").reason == reason::unsupported);
    CHECK(sanitize(lzw.substr(0, lzw.size() / 2), "cut.tif").verdict == Verdict::quarantined);
}

TEST_CASE("image webp: lossy becomes JPEG, lossless and transparent become PNG, an animation its first frame, EXIF GPS goes") {
    TempDir t;
    source_png(t);
    std::string lossy = make_with(t, "cwebp -quiet -q 85 src.png -o lossy.webp", "lossy.webp");
    Outcome o = sanitize(lossy, "写真.webp");
    const Output jpg = only_output(o);
    CHECK(jpg.type == "jpeg");
    CHECK(jpg.name == "写真.jpg");
    check_plain_jpeg(jpg.bytes);
    CHECK(psnr(lossy, jpg.bytes) >= 30);

    std::string lossless = make_with(t, "cwebp -quiet -lossless src.png -o ll.webp", "ll.webp");
    const Output png = only_output(sanitize(lossless, "ll.webp"));
    CHECK(png.type == "png");
    CHECK(psnr(lossless, png.bytes) >= 1000);

    make_with(t, kConvert + " src.png -alpha set -channel A -evaluate set 50% +channel PNG32:alpha.png", "alpha.png");
    std::string alpha = make_with(t, "cwebp -quiet -q 80 -exact alpha.png -o alpha.webp", "alpha.webp");
    const Output transparent = only_output(sanitize(alpha, "alpha.webp"));
    CHECK(transparent.type == "png");
    std::string opaque = identify(transparent.bytes, "%[opaque]");
    CHECK((opaque == "False" || opaque == "false"));

    convert(t, "src.png", "g.jpg");
    make_with(t, "exiftool -q -overwrite_original -GPSLatitude=35 -GPSLatitudeRef=N g.jpg && exiftool -q -b -EXIF g.jpg > exif.bin", "exif.bin");
    std::string tagged = make_with(t, "webpmux -set exif exif.bin lossy.webp -o tagged.webp", "tagged.webp");
    Outcome gps = sanitize(tagged + "PK\x03\x04trailing", "tagged.webp");
    CHECK(has_finding(gps, "image.gps"));
    CHECK(has_finding(gps, "image.trailing_data"));
    CHECK_FALSE(any_tag_group(exif_tags(only_output(gps).bytes), "GPS"));

    convert(t, "src.png -flip", "f2.png");
    std::string anim = make_with(t, "img2webp -loop 0 -lossless src.png f2.png -o anim.webp", "anim.webp");
    Outcome first = sanitize(anim, "anim.webp");
    CHECK(has_finding(first, "image.frames"));
    CHECK(psnr(read_whole(t / "src.png"), only_output(first).bytes) >= 1000);

    CHECK(sanitize(lossy.substr(0, lossy.size() / 2), "cut.webp").reason == reason::malformed);
}

TEST_CASE("image heic: an iPhone-style HEIC becomes a JPEG that looks the same") {
    TempDir t;
    std::string src = source_png(t, 128, 96);
    std::string heic = make_with(t, "heif-enc -q 90 src.png -o a.heic >/dev/null", "a.heic");
    Outcome o = sanitize(heic, "IMG_0001.HEIC");
    const Output out = only_output(o);
    CHECK(o.detected_type == "heic");
    CHECK(out.type == "jpeg");
    CHECK(out.name == "IMG_0001.jpg");
    CHECK(has_finding(o, "image.converted"));
    check_plain_jpeg(out.bytes);
    CHECK(psnr(src, out.bytes) >= 30);
    CHECK(sanitize(heic.substr(0, heic.size() - 60), "cut.heic").verdict == Verdict::quarantined);
}

TEST_CASE("image svg: scripts, handlers and every outside reference are removed before drawing, entities are refused") {
    std::string svg = R"SVG(<?xml version="1.0"?>
<?xml-stylesheet href="http://203.0.113.9/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xi="http://www.w3.org/2001/XInclude"
     width="80" height="40" onload="alert(1)">
  <script>alert(document.cookie)</script>
  <style>@import url(http://203.0.113.9/evil.css); rect { stroke: none }</style>
  <rect x="0" y="0" width="40" height="40" fill="#ff0000"/>
  <rect x="40" y="0" width="40" height="40" fill="#0000ff" onclick="evil()"/>
  <image x="0" y="0" width="10" height="10" xlink:href="http://203.0.113.9/track.png"/>
  <image x="0" y="0" width="10" height="10" href="file:///etc/passwd"/>
  <use xlink:href="other.svg#x"/>
  <xi:include href="file:///etc/passwd" parse="text"/>
  <foreignObject width="80" height="40"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="http://203.0.113.9/"/></body></foreignObject>
  <a xlink:href="javascript:alert(1)"><text x="5" y="30">x</text></a>
</svg>)SVG";
    Outcome o = sanitize(svg, "logo.svg");
    const Output out = only_output(o);
    CHECK(out.type == "png");
    CHECK(out.name == "logo.png");
    CHECK(has_finding(o, "svg.rasterized"));
    CHECK(has_finding(o, "svg.removed"));
    for (const auto& f : o.findings)
        if (f.kind == "svg.removed")
            for (auto what : {"script", "event handler", "external reference", "XInclude", "embedded document", "processing instruction"})
                CHECK_MESSAGE(f.detail.find(what) != std::string::npos, what);
    check_plain_png(out.bytes);
    CHECK(identify(out.bytes, "%w %h") == "80 40");
    CHECK(identify(out.bytes, "%[pixel:p{20,20}]") == "srgb(255,0,0)");
    CHECK(identify(out.bytes, "%[pixel:p{60,20}]") == "srgb(0,0,255)");

    std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&b;</text></svg>)";
    CHECK(sanitize(laughs, "laughs.svg").reason == reason::malformed);
    CHECK(sanitize("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect", "cut.svg").reason == reason::malformed);
}

TEST_CASE("image svg: an embedded PNG is decoded and embedded again fresh, the size option bounds the drawing") {
    TempDir t;
    std::string png = convert(t, "-size 8x8 xc:lime", "dot.png") + "PK\x03\x04trailing";
    std::string b64 = run("base64 -w0 " + shell_quote((t / "dot.png").string())).out;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 100 50\">"
                      "<image width=\"100\" height=\"50\" preserveAspectRatio=\"none\" xlink:href=\"data:image/png;base64," +
                      b64 + "\"/></svg>";
    Outcome o = sanitize(svg, "a.svg", {{"svg_size", "200"}});
    const Output out = only_output(o);
    CHECK(identify(out.bytes, "%w %h") == "200 100");
    CHECK(identify(out.bytes, "%[pixel:p{100,50}]") == "srgb(0,255,0)");
    for (const auto& f : o.findings)
        if (f.kind == "svg.rasterized") CHECK(f.detail.find("1 embedded images rebuilt") != std::string::npos);
}

TEST_CASE("image: the shipped policy reconstructs every image type, and the option table is checked") {
    Policy p = Policy::defaults();
    for (auto type : {"png", "jpeg", "gif", "bmp", "tiff", "webp", "heic", "svg"}) CHECK(p.action_for(type) == TypeAction::reconstruct);
    Registry r = builtin_registry();
    CHECK_THROWS_AS(parse_policy_text("[sanitizer.image]\nkeep = \"all\"\n", "t.toml", r), ConfigError);
    CHECK_THROWS_AS(parse_policy_text("[sanitizer.image]\njpeg_quality = 101\n", "t.toml", r), ConfigError);
    CHECK_NOTHROW(parse_policy_text("[sanitizer.image]\nkeep = \"basic\"\nmax_pixels = 50000000\njpeg_mode = \"fixed\"\n", "t.toml", r));
}

namespace {

// An SVG whose elements reference each other `levels` deep, each level `fan` references to the next,
// in the form `make` writes a level's references (id of the next level) into.
std::string reference_bomb(int levels, int fan, const std::function<std::string(const std::string&)>& make,
                           const std::string& container = "g", const std::string& top = "") {
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                      "width=\"20\" height=\"20\"><defs><" + container + " id=\"l" + std::to_string(levels) +
                      "\"><rect width=\"1\" height=\"1\"/></" + container + ">";
    for (int l = levels - 1; l >= 0; --l) {
        svg += "<" + container + " id=\"l" + std::to_string(l) + "\">";
        for (int i = 0; i < fan; ++i) svg += make("l" + std::to_string(l + 1));
        svg += "</" + container + ">";
    }
    return svg + "</defs>" + (top.empty() ? "<use xlink:href=\"#l0\"/>" : top) + "</svg>";
}

}  // namespace

TEST_CASE("image svg: what its references would draw is counted before librsvg runs (use, url(), style sheets)") {
    auto use = [](const std::string& id) { return "<use xlink:href=\"#" + id + "\"/>"; };
    auto use_plain_href = [](const std::string& id) { return "<use href=\"#" + id + "\"/>"; };
    auto fill = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" fill=\"url(#" + id + ")\"/>"; };
    auto styled = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" style=\"fill: url('#" + id + "')\"/>"; };
    auto clip = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" clip-path=\"url(#" + id + ")\"/>"; };
    auto upper = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" fill=\"URL( '#" + id + "' )\"/>"; };
    auto spaced_use = [](const std::string& id) { return "<use xlink:href=\"  #" + id + "\"/>"; };
    auto newline_use = [](const std::string& id) { return "<use href=\"&#10;#" + id + "\"/>"; };
    auto tabbed_fill = [](const std::string& id) {
        return "<rect width=\"1\" height=\"1\" fill=\"url(&#9;#" + id + ")\" stroke=\"url(&#10;'#" + id + "')\"/>";
    };
    struct Case {
        std::string what;   // a string, so that CAPTURE shows it
        std::string svg;
    };
    std::vector<Case> bombs = {
        {"nested <use>, 2^40", reference_bomb(40, 2, use)},
        {"nested <use href>, 10^9", reference_bomb(9, 10, use_plain_href)},
        {"patterns filling with patterns, 3^20", reference_bomb(20, 3, fill, "pattern", "<rect width=\"9\" height=\"9\" fill=\"url(#l0)\"/>")},
        {"style attributes, 4^15", reference_bomb(15, 4, styled, "pattern", "<rect width=\"9\" height=\"9\" style=\"fill:url(#l0)\"/>")},
        {"clip paths, 5^12", reference_bomb(12, 5, clip, "clipPath", "<rect width=\"9\" height=\"9\" clip-path=\"url(#l0)\"/>")},
        {"URL( '#id' ) in capitals, 3^20", reference_bomb(20, 3, upper, "pattern", "<rect width=\"9\" height=\"9\" fill=\"URL(#l0)\"/>")},
        {"a style sheet's url(#) once per element", reference_bomb(10, 4, fill, "pattern",
                                                                  "<style>rect { fill: url(#l0) }</style><rect width=\"9\" height=\"9\"/>")},
        // White space the cleaner trims before it judges a reference local: the count must see it too.
        {"<use href=\"  #id\">, 2^40", reference_bomb(40, 2, spaced_use)},
        {"<use href> after a newline, 2^40", reference_bomb(40, 2, newline_use)},
        {"url(<tab>#id) and url(<newline>'#id'), 3^20", reference_bomb(20, 3, tabbed_fill, "pattern", "<rect width=\"9\" height=\"9\" fill=\"url(&#9;#l0)\"/>")},
    };
    for (const auto& c : bombs) {
        CAPTURE(c.what);
        auto t0 = std::chrono::steady_clock::now();
        Outcome o = sanitize(c.svg, "bomb.svg");
        CHECK(o.reason == reason::limit_operations);
        CHECK(o.outputs.empty());
        CHECK(o.reason_detail.find("through its references") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));   // held before drawing, not after
    }
    // A url() spelt with a CSS escape or split by a comment is seen by neither wall: such values are
    // removed before anything is counted or drawn, so the bomb draws one rectangle.
    auto escaped = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" fill=\"u\\72l(#" + id + ")\"/>"; };
    auto commented = [](const std::string& id) { return "<rect width=\"1\" height=\"1\" fill=\"url(/**/#" + id + ")\"/>"; };
    for (const auto& make : {std::function<std::string(const std::string&)>(escaped), std::function<std::string(const std::string&)>(commented)}) {
        Outcome o = sanitize(reference_bomb(20, 3, make, "pattern", "<rect width=\"9\" height=\"9\" fill=\"u\\72l(#l0)\"/>"), "escaped.svg");
        CHECK(o.verdict == Verdict::disarmed);
        bool noted = false;
        for (const auto& f : o.findings)
            if (f.kind == "svg.removed" && f.detail.find("CSS escape or comment") != std::string::npos) noted = true;
        CHECK(noted);
    }
    // A cycle (librsvg would refuse or skip it) and references nested past any drawing's need.
    CHECK(sanitize(reference_bomb(1, 1, use, "g", "<g id=\"x\"><use xlink:href=\"#x\"/></g>"), "loop.svg").reason == reason::malformed);
    CHECK(sanitize(reference_bomb(3, 1, fill, "pattern", "<pattern id=\"p\"><rect fill=\"url(#q)\"/></pattern>"
                                                         "<pattern id=\"q\"><rect fill=\"url(#p)\"/></pattern>"),
                   "loop2.svg").reason == reason::malformed);
    std::string deep = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\"><defs>";
    for (int l = 0; l < 300; ++l) deep += "<g id=\"d" + std::to_string(l) + "\"><use href=\"#d" + std::to_string(l + 1) + "\"/></g>";
    deep += "<g id=\"d300\"><rect width=\"1\" height=\"1\"/></g></defs><use href=\"#d0\"/></svg>";
    CHECK(sanitize(deep, "deep.svg").reason == reason::limit_depth);
    // Ordinary reuse is drawn: a symbol used 200 times, a gradient shared by 500 shapes.
    std::string icons = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"200\" "
                        "height=\"200\"><defs><symbol id=\"s\"><circle r=\"2\"/><rect width=\"1\" height=\"1\"/></symbol>"
                        "<linearGradient id=\"g\"><stop offset=\"0\"/><stop offset=\"1\" stop-color=\"#fff\"/></linearGradient></defs>";
    for (int i = 0; i < 200; ++i) icons += "<use xlink:href=\"#s\" x=\"" + std::to_string(i % 20 * 10) + "\" y=\"" + std::to_string(i / 20 * 10) + "\"/>";
    for (int i = 0; i < 500; ++i) icons += "<rect width=\"3\" height=\"3\" fill=\"url(#g)\" x=\"" + std::to_string(i % 50 * 4) + "\"/>";
    icons += "</svg>";
    Outcome ok = sanitize(icons, "icons.svg");
    CHECK(ok.verdict == Verdict::disarmed);
    CHECK(ok.outputs.size() == 1);
}
