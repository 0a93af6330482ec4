#include "decoded.hpp"

#include <algorithm>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {

void check_dimensions(std::uint64_t width, std::uint64_t height, const ImageLimits& limits, std::string_view what) {
    std::string size = std::to_string(width) + " x " + std::to_string(height);
    if (width == 0 || height == 0) throw SanitizeError(reason::malformed, std::string(what) + " declares an empty size " + size);
    // Each side alone must fit the limit too, so that the product cannot overflow.
    if (width > limits.max_pixels || height > limits.max_pixels || width * height > limits.max_pixels)
        throw SanitizeError(reason::limit_pixels, std::string(what) + " declares " + size + " pixels, over the limit of " +
                                                      std::to_string(limits.max_pixels));
}

void check_frames(std::uint64_t frames, const ImageLimits& limits, std::string_view what) {
    if (frames > limits.max_frames)
        throw SanitizeError(reason::limit_frames, std::string(what) + " has more than " +
                                                      std::to_string(limits.max_frames) + " frames or pages");
}

void SourceFacts::drop(std::string what) {
    if (std::find(dropped.begin(), dropped.end(), what) == dropped.end()) dropped.push_back(std::move(what));
}

}  // namespace mugaika::image
