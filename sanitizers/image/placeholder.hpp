// Neutral stand-ins for pictures that cannot be rebuilt inside a document: a light gray image with a
// darker frame, in the format the document expects, of the picture's own size when its header says
// so. Every byte is ours; the original is never read beyond a few fixed header fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mugaika::image {

struct PixelSize {
    std::uint32_t width = 0, height = 0;
};

// The size a PNG, JPEG, GIF or BMP header declares, without decoding; {0, 0} when unknown.
PixelSize declared_size(std::string_view bytes);

// A placeholder picture of `size` (defaults when unknown, scaled down to 4096 pixels on the longest
// side) as "png", "jpeg" or "gif".
std::string placeholder_image(std::string_view type, PixelSize size);

// Vector placeholders: a frame-sized light gray rectangle. The original's frame (EMF rclFrame, the
// placeable WMF bounding box) is reused when it is sane.
std::string placeholder_emf(std::string_view original);
std::string placeholder_wmf(std::string_view original);

}  // namespace mugaika::image
