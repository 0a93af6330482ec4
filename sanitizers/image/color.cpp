#include "color.hpp"

#include <lcms2.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace mugaika::image {
namespace {

// Profiles above this size are not a colour space but a payload: ignored.
constexpr std::size_t kMaxProfileBytes = 4u << 20;

// lcms2 reports through a per-context handler; errors are seen through its return values.
void quiet(cmsContext, cmsUInt32Number, const char*) {}

struct ContextDeleter {
    void operator()(void* c) const { cmsDeleteContext(static_cast<cmsContext>(c)); }
};

std::string profile_text(cmsHPROFILE p) {
    char buf[256] = {};
    cmsGetProfileInfoASCII(p, cmsInfoDescription, "en", "US", buf, sizeof buf);
    std::string s(buf);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return s.substr(0, 80);
}

}  // namespace

struct ColorConverter::Impl {
    std::unique_ptr<void, ContextDeleter> ctx;
    cmsHTRANSFORM transform = nullptr;
    ~Impl() {
        if (transform) cmsDeleteTransform(transform);
    }
};

ColorConverter::ColorConverter(std::unique_ptr<Impl> impl, std::string description)
    : impl_(std::move(impl)), description_(std::move(description)) {}

ColorConverter::~ColorConverter() = default;

std::unique_ptr<ColorConverter> ColorConverter::from_icc(std::string_view icc, ColorInput input, std::string& why) {
    if (icc.empty()) {
        why = "no profile";
        return nullptr;
    }
    if (icc.size() > kMaxProfileBytes) {
        why = "profile of " + std::to_string(icc.size()) + " bytes ignored";
        return nullptr;
    }
    auto impl = std::make_unique<Impl>();
    impl->ctx.reset(cmsCreateContext(nullptr, nullptr));
    if (!impl->ctx) throw std::bad_alloc();
    auto ctx = static_cast<cmsContext>(impl->ctx.get());
    cmsSetLogErrorHandlerTHR(ctx, quiet);

    cmsHPROFILE in = cmsOpenProfileFromMemTHR(ctx, icc.data(), static_cast<cmsUInt32Number>(icc.size()));
    if (!in) {
        why = "unreadable profile ignored";
        return nullptr;
    }
    std::string name = profile_text(in);
    cmsColorSpaceSignature space = cmsGetColorSpace(in);
    bool cmyk = input == ColorInput::cmyk || input == ColorInput::cmyk_inverted;
    bool fits = cmyk ? space == cmsSigCmykData : space == cmsSigRgbData;
    // A profile that already describes sRGB changes nothing but costs a pass over every pixel.
    bool is_srgb = !cmyk && name.find("sRGB") != std::string::npos;
    if (!fits || is_srgb) {
        why = !fits ? "profile \"" + name + "\" does not match the pixels; ignored" : "sRGB profile \"" + name + "\"";
        cmsCloseProfile(in);
        return nullptr;
    }
    cmsHPROFILE out = cmsCreate_sRGBProfileTHR(ctx);
    cmsUInt32Number in_format = input == ColorInput::rgb ? TYPE_RGB_8
                                : input == ColorInput::rgba ? TYPE_RGBA_8
                                : input == ColorInput::cmyk ? TYPE_CMYK_8
                                                            : TYPE_CMYK_8_REV;
    cmsUInt32Number out_format = input == ColorInput::rgba ? TYPE_RGBA_8 : TYPE_RGB_8;
    cmsUInt32Number flags = input == ColorInput::rgba ? cmsFLAGS_COPY_ALPHA : 0;
    impl->transform = out ? cmsCreateTransformTHR(ctx, in, in_format, out, out_format, INTENT_PERCEPTUAL, flags) : nullptr;
    cmsCloseProfile(in);
    if (out) cmsCloseProfile(out);
    if (!impl->transform) {
        why = "profile \"" + name + "\" cannot be applied; ignored";
        return nullptr;
    }
    why = "converted from \"" + name + "\" to sRGB";
    return std::unique_ptr<ColorConverter>(new ColorConverter(std::move(impl), name));
}

void ColorConverter::convert(const std::uint8_t* in, std::uint8_t* out, std::uint32_t pixels) const {
    cmsDoTransform(impl_->transform, in, out, pixels);
}

void cmyk_to_rgb(const std::uint8_t* in, std::uint8_t* out, std::uint32_t pixels, bool inverted) {
    for (std::uint32_t i = 0; i < pixels; ++i, in += 4, out += 3) {
        unsigned c = in[0], m = in[1], y = in[2], k = in[3];
        if (!inverted) c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
        // Now every value is "how much light is left": multiply by what black leaves.
        out[0] = static_cast<std::uint8_t>((c * k + 127) / 255);
        out[1] = static_cast<std::uint8_t>((m * k + 127) / 255);
        out[2] = static_cast<std::uint8_t>((y * k + 127) / 255);
    }
}

}  // namespace mugaika::image
