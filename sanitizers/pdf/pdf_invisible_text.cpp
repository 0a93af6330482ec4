#include "pdf_invisible_text.hpp"

#include <poppler/GfxState.h>
#include <poppler/OutputDev.h>
#include <poppler/PDFDoc.h>

#include <cmath>

#include "pdf_objects.hpp"
#include "pdf_text.hpp"

namespace mugaika::pdf {
namespace {


// Sees only text (needNonText is false: no image is decoded, no path filled) and keeps the
// characters nobody can see.
class Collector final : public OutputDev {
public:
    Collector(std::size_t max_chars, std::vector<InvisibleChar>& out) : max_(max_chars), out_(out) {}

    bool upsideDown() override { return true; }   // device space = the rebuilt page, origin top left
    bool useDrawChar() override { return true; }
    bool interpretType3Chars() override { return false; }
    bool needNonText() override { return false; }

    void drawChar(GfxState* state, double x, double y, double dx, double dy, double origin_x, double origin_y,
                  CharCode, int, const Unicode* u, int u_len) override {
        if ((state->getRender() & 3) != 3 || !u || u_len <= 0 || out_.size() >= max_) return;
        InvisibleChar c;
        for (int i = 0; i < u_len && i < 8; ++i) append_utf8(c.utf8, u[i]);
        if (c.utf8.empty() || c.utf8 == " ") return;
        state->transform(x - origin_x, y - origin_y, &c.x, &c.y);
        state->transformDelta(dx, dy, &c.dx, &c.dy);
        c.size = state->getTransformedFontSize();
        if (!std::isfinite(c.x + c.y + c.dx + c.dy + c.size) || c.size <= 0.1 || c.size > 2000) return;
        out_.push_back(std::move(c));
    }

private:
    std::size_t max_;
    std::vector<InvisibleChar>& out_;
};

bool past(void* deadline) {
    return std::chrono::steady_clock::now() > *static_cast<std::chrono::steady_clock::time_point*>(deadline);
}

}  // namespace

std::vector<InvisibleChar> invisible_text(ObjectWalk& walk, int index, std::size_t max_chars,
                                          std::chrono::steady_clock::time_point deadline) {
    std::vector<InvisibleChar> out;
    PDFDoc* doc = walk.document();
    if (index < 0 || index >= doc->getNumPages()) return out;
    Collector collector(max_chars, out);
    // The same geometry as poppler-glib's drawing: 72 dpi, crop box, the page's own rotation, printing.
    doc->displayPage(&collector, index + 1, 72, 72, 0, false, true, true, past, &deadline);
    return out;
}

}  // namespace mugaika::pdf
