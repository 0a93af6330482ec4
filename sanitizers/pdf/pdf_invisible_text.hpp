// Invisible text (render mode 3) is how scanners and OCR tools make a scanned page searchable: the
// page is an image, the words lie under it unseen. Poppler's cairo backend draws nothing for such
// text, so the rebuilt page would lose its search layer. This collects those characters with the
// core parser so the renderer can lay them down again, still unseen.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace mugaika::pdf {

class ObjectWalk;

struct InvisibleChar {
    std::string utf8;
    double x = 0, y = 0;        // baseline origin on the rebuilt page (points, origin top left)
    double size = 0;            // font size in points
    double dx = 0, dy = 0;      // advance along the baseline, in points
};

// The invisible characters of page `index` (0-based), at most `max_chars`. Stops early (returning
// what it has) when `deadline` passes.
std::vector<InvisibleChar> invisible_text(ObjectWalk& walk, int index, std::size_t max_chars,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace mugaika::pdf
