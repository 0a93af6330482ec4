// Every image in a rebuilt PDF is written from decoded pixels.
//
// When poppler draws for printing, CairoOutputDev hands cairo the image's original JPEG, JPEG 2000,
// JBIG2 or CCITT stream as "mime data" on the image surface it has just decoded, and cairo's PDF
// writer embeds those bytes as they are. This file defines cairo_surface_set_mime_data itself: the
// executable exports it (libpoppler-glib references it), so every call poppler makes lands here
// first. Nothing passes but cairo's unique-id tag; a JPEG is replaced, while a ReencodeScope is
// active on the thread, by a fresh JPEG encoded from the surface's pixels (at a quality close to the
// original's), and everything else is dropped so that cairo writes the pixels losslessly (Flate).
#pragma once

#include <cstddef>

namespace mugaika::pdf {

// While alive, JPEG images drawn on this thread are re-encoded (and repeated ones encoded once).
class ReencodeScope {
public:
    ReencodeScope();
    ~ReencodeScope();
    ReencodeScope(const ReencodeScope&) = delete;
    ReencodeScope& operator=(const ReencodeScope&) = delete;

    std::size_t jpeg_reencoded() const;   // distinct JPEG images written again as JPEG
    std::size_t dropped() const;          // original streams not passed on (JPEG 2000, JBIG2, CCITT, ...)

    struct State;

private:
    State* state_;
    State* previous_;
};

// True when poppler's calls reach our cairo_surface_set_mime_data. When false (a link that stopped
// exporting it), original image streams could cross: the PDF sanitizer refuses to run.
bool image_guard_active();

}  // namespace mugaika::pdf
