// Colour: pixels leave in sRGB. An embedded ICC profile (a camera's Adobe RGB, an iPhone's Display P3,
// a printer's CMYK) is applied with lcms2 and then dropped; CMYK without a profile uses the plain
// formula every viewer uses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mugaika::image {

enum class ColorInput { rgb, rgba, cmyk, cmyk_inverted /* Adobe's JPEG CMYK: 0 is full ink */ };

class ColorConverter {
public:
    // A converter from `icc` to sRGB for rows of `input` (RGBA keeps its alpha; CMYK becomes RGB).
    // Returns nullptr when nothing is to be done: no profile, a profile that already is sRGB, a gray or
    // otherwise unusable profile, or one that does not match `input`. `why` says which, for the report.
    static std::unique_ptr<ColorConverter> from_icc(std::string_view icc, ColorInput input, std::string& why);
    ~ColorConverter();
    ColorConverter(const ColorConverter&) = delete;
    ColorConverter& operator=(const ColorConverter&) = delete;

    // `in` and `out` may be the same row only for RGB and RGBA.
    void convert(const std::uint8_t* in, std::uint8_t* out, std::uint32_t pixels) const;
    const std::string& description() const { return description_; }

private:
    struct Impl;
    explicit ColorConverter(std::unique_ptr<Impl> impl, std::string description);
    std::unique_ptr<Impl> impl_;
    std::string description_;
};

// CMYK to RGB without a profile.
void cmyk_to_rgb(const std::uint8_t* in, std::uint8_t* out, std::uint32_t pixels, bool inverted);

}  // namespace mugaika::image
