#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Plain text: decodes strictly in its detected encoding, removes control characters other than tab and
// line ends, and writes it back in the same encoding so existing tools still read it.
std::shared_ptr<const Sanitizer> make_text_sanitizer();

}  // namespace mugaika
