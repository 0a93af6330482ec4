// The cost of drawing, measured before anything is drawn. poppler-glib's page drawing cannot be
// interrupted (poppler_page_render_for_printing passes no abort callback), so one page of nested form
// XObjects (10^8 draws from 4 KB) or a pattern of 10^9 tiles would run until the worker is killed.
// This pass interprets every page with poppler's own interpreter (Gfx), exactly as the drawing will
// (printing, crop box, annotations, forms, patterns, Type3 glyphs), into a device that only counts,
// through poppler's abort callback wired to the engine's deadline. It stops as soon as a bound is
// passed, so the drawing that follows is bounded in time and memory by what was counted:
//   - drawing operations (paths, glyphs, images, shadings, state changes), tiles of patterns that
//     poppler repeats one by one, Type3 glyphs: the document's total (`max_operations`)
//   - the declared size of every image poppler will decode, inline ones included (`max_image_pixels`)
//   - graphics state nesting (each level holds a copy of the state in poppler and in cairo)
//   - the time budget (`deadline`), checked every few operations
#pragma once

#include <chrono>
#include <cstdint>

class PDFDoc;

namespace mugaika::pdf {

struct DrawLimits {
    std::uint64_t max_operations = 0;
    std::uint64_t max_image_pixels = 0;
    std::uint32_t max_state_depth = 10000;
    std::chrono::steady_clock::time_point deadline;
};

struct DrawCount {
    std::uint64_t operations = 0;
    std::uint64_t largest_image_pixels = 0;
};

// Throws SanitizeError: limit.operations, limit.pixels, limit.memory (state nesting), limit.time.
DrawCount check_draw_budget(PDFDoc* doc, const DrawLimits& limits);

}  // namespace mugaika::pdf
