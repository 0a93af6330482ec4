// Small operations on decoded pixels, in place (rows are packed towards the start of the buffer, so
// no second full-size buffer is needed): dropping an alpha channel nobody uses, gray detection,
// 16 to 8 bits, premultiplied alpha back to straight alpha.
#pragma once

#include "raster.hpp"

namespace mugaika::image {

bool all_opaque(const Raster& r);                  // gray_alpha / rgba: every alpha is the maximum
bool all_gray(const Raster& r);                    // rgb / rgba: every pixel has R = G = B
bool all_bilevel(const Raster& r);                 // gray, 8-bit: only 0 and 255

void drop_alpha(Raster& r);                        // rgba -> rgb, gray_alpha -> gray
void to_gray(Raster& r);                           // rgb -> gray, rgba -> gray_alpha (R = G = B assumed)
void to_8bit(Raster& r);                           // 16-bit samples -> 8-bit (rounded)
void unpremultiply(Raster& r);                     // rgba, 8-bit, premultiplied -> straight alpha

// The smallest layout that holds the same pixels: alpha dropped when opaque, gray when R = G = B.
void simplify(Raster& r);

}  // namespace mugaika::image
