// Draws every page of the original into a brand-new PDF written by cairo. Only what poppler paints
// (text, vectors, images, flattened form and annotation appearances) reaches the output; actions,
// scripts, files and forms have no way across.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "pdf_document.hpp"
#include "pdf_invisible_text.hpp"

namespace mugaika::pdf {

struct RenderOptions {
    bool pixels = false;              // rasterise each page (image-only output)
    int dpi = 150;                    // pixel mode resolution; also the scale of the page-area limit
    bool https_links = false;         // re-add http(s) URI links at their rectangles
    std::uint64_t max_page_pixels = 0;
    std::string title;                // already cleaned
    // Reconstruct mode: the invisible (OCR) text of a page, laid down again unseen. May be empty.
    std::function<std::vector<InvisibleChar>(int page)> invisible_text;
};

struct RenderResult {
    std::string pdf;
    int links_kept = 0;
    int links_refused = 0;            // URI links that were not http(s) or not well formed
    std::size_t invisible_chars = 0;  // characters of invisible text carried over
    std::size_t images_jpeg = 0;      // JPEG images written again from their pixels as JPEG
    std::size_t images_lossless = 0;  // JPEG 2000, JBIG2, CCITT (and JPEG with alpha) written from pixels, lossless
};

// `before_page` runs before each page (the caller's time budget; it throws to stop). Throws
// SanitizeError(limit.pixels) for a page over the area limit, (internal) when cairo fails.
RenderResult render_document(const RenderDocument& doc, const RenderOptions& options,
                             const std::function<void()>& before_page);

// Cairo hard-codes "/Producer (cairo ...)"; this rewrites the value to "mugaika" in place, padding
// with spaces so no byte offset moves. Returns false when the expected Info object is not found.
bool set_producer(std::string& pdf, std::string_view producer);

}  // namespace mugaika::pdf
