#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Images: every picture is decoded to pixels and written again as a fresh file (JPEG, PNG and GIF
// stay what they are; BMP, TIFF, WebP, HEIC and SVG become PNG or JPEG). Nothing of the input's bytes
// is copied: no metadata, no comments, no trailing data. See docs/image.md.
std::shared_ptr<const Sanitizer> make_image_sanitizer();

}  // namespace mugaika
