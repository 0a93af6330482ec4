#include "pdf_draw_budget.hpp"

#include <poppler/Annot.h>
#include <poppler/Gfx.h>
#include <poppler/GfxFont.h>
#include <poppler/GfxState.h>
#include <poppler/OutputDev.h>
#include <poppler/PDFDoc.h>
#include <poppler/Page.h>

#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::pdf {
namespace {

// What interpreting a content stream of its own costs (a form XObject, a tile, a Type3 glyph, a
// transparency group), in operations: parsing the stream and setting up and restoring the state cost
// about as much as this many simple operators in poppler and in cairo.
constexpr std::uint64_t kFormCost = 64;

// Why the pass stopped (the first reason wins).
struct Stop {
    std::string_view code;
    std::string detail;
};

// Counts what poppler's cairo device would be asked to draw, and draws nothing. When a bound is passed
// it throws SanitizeError out of the drawing callback, through poppler's interpreter: Gfx checks the
// abort callback only in a content stream that runs more than ten operators without calling another
// (each nested form restarts its count), so a tree of forms that each draw ten others is never
// interrupted by it. The exception is thrown once, from a drawing callback, never from one that Gfx
// calls while it cleans up (save/restore of the state), and the caller owns the Gfx it unwinds from.
// poppler's own frames free what they hold in RAII types; a Parser or two of the abandoned streams
// leaks, in a worker that is about to quarantine the item and exit. The device answers
// poppler's questions as CairoOutputDev does (upside down, glyph by glyph, native tiling and shadings),
// so Gfx takes the same paths; where CairoOutputDev hands work back to Gfx (tiling patterns whose step
// is not their cell size: poppler then draws every tile), the count includes that work.
class Counter final : public OutputDev {
public:
    Counter(PDFDoc* doc, const DrawLimits& limits) : doc_(doc), limits_(limits) {}

    static bool abort_check(void* self) { return static_cast<Counter*>(self)->should_stop(); }

    bool should_stop() {
        if (!stop_ && std::chrono::steady_clock::now() > limits_.deadline)
            halt(reason::limit_time, "time budget spent while measuring the drawing of page " + std::to_string(page_));
        return stop_.has_value();
    }

    const std::optional<Stop>& stopped() const { return stop_; }
    const DrawCount& count() const { return count_; }
    void set_page(int page) { page_ = page; }

    // --- what poppler asks the device ---
    bool upsideDown() override { return true; }
    bool useDrawChar() override { return true; }
    bool useTilingPatternFill() override { return true; }
    bool useShadedFills(int type) override { return type >= 1 && type <= 7; }
    bool interpretType3Chars() override { return true; }
    bool needNonText() override { return true; }
    // Gfx asks this before each form XObject it draws: a form costs a parse of its stream, a state
    // save, a clip and a restore, far more than one operator. (Never draws the form itself.)
    bool useDrawForm() override { return add(kFormCost), false; }
    bool axialShadedSupportExtend(GfxState*, GfxAxialShading*) override { return true; }
    bool radialShadedSupportExtend(GfxState*, GfxRadialShading*) override { return true; }

    // --- state: each level is a copy of the state in poppler and in cairo ---
    // Gfx calls these while it unwinds its state stack too: they count, and never throw.
    void saveState(GfxState*) override {
        tally(1);
        if (++depth_ > limits_.max_state_depth)
            halt(reason::limit_memory, "graphics state nested deeper than " + std::to_string(limits_.max_state_depth) +
                                           " on page " + std::to_string(page_));
    }
    void restoreState(GfxState*) override {
        tally(1);
        if (depth_ > 0) --depth_;
    }
    void updateAll(GfxState*) override { op(); }
    void updateCTM(GfxState*, double, double, double, double, double, double) override { op(); }
    void updateLineDash(GfxState*) override { op(); }
    void updateLineWidth(GfxState*) override { op(); }
    void updateFillColor(GfxState*) override { op(); }
    void updateStrokeColor(GfxState*) override { op(); }
    void updateFillOpacity(GfxState*) override { op(); }
    void updateStrokeOpacity(GfxState*) override { op(); }
    void updateBlendMode(GfxState*) override { op(); }
    void updateFont(GfxState*) override { op(); }

    // --- drawing ---
    void stroke(GfxState*) override { op(); }
    void fill(GfxState*) override { op(); }
    void eoFill(GfxState*) override { op(); }
    void clip(GfxState*) override { op(); }
    void eoClip(GfxState*) override { op(); }
    void clipToStrokePath(GfxState*) override { op(); }
    void drawChar(GfxState*, double, double, double, double, double, double, CharCode, int, const Unicode*, int) override { op(); }
    void beginTransparencyGroup(GfxState*, const double*, GfxColorSpace*, bool, bool, bool) override { add(kFormCost); }
    void paintTransparencyGroup(GfxState*, const double*) override { op(); }
    void setSoftMask(GfxState*, const double*, bool, Function*, GfxColor*) override { op(); }

    // Images are never decoded here (inline image data is skipped by Gfx itself, which looks for EI);
    // only their sizes, as poppler parsed them, are checked.
    void drawImageMask(GfxState*, Object*, Stream*, int width, int height, bool, bool, bool) override { image(width, height); }
    void setSoftMaskFromImageMask(GfxState*, Object*, Stream*, int width, int height, bool, bool, double*) override {
        image(width, height);
    }
    void unsetSoftMaskFromImageMask(GfxState*, double*) override { tally(1); }
    void drawImage(GfxState*, Object*, Stream*, int width, int height, GfxImageColorMap*, bool, const int*, bool) override {
        image(width, height);
    }
    void drawMaskedImage(GfxState*, Object*, Stream*, int width, int height, GfxImageColorMap*, bool, Stream*, int mask_width,
                         int mask_height, bool, bool) override {
        image(width, height);
        image(mask_width, mask_height);
    }
    void drawSoftMaskedImage(GfxState*, Object*, Stream*, int width, int height, GfxImageColorMap*, bool, Stream*, int mask_width,
                             int mask_height, GfxImageColorMap*, bool) override {
        image(width, height);
        image(mask_width, mask_height);
    }

    // Shadings are filled natively (one call; meshes cost per patch or triangle).
    bool functionShadedFill(GfxState*, GfxFunctionShading*) override { return op(), true; }
    bool axialShadedFill(GfxState*, GfxAxialShading*, double, double) override { return op(), true; }
    bool radialShadedFill(GfxState*, GfxRadialShading*, double, double) override { return op(), true; }
    bool gouraudTriangleShadedFill(GfxState*, GfxGouraudTriangleShading* s) override {
        return add(1 + static_cast<std::uint64_t>(std::max(0, s->getNTriangles()))), true;
    }
    bool patchMeshShadedFill(GfxState*, GfxPatchMeshShading* s) override {
        return add(1 + static_cast<std::uint64_t>(std::max(0, s->getNPatches()))), true;
    }

    // cairo draws a glyph of a Type3 font once per font and size (a user font); Gfx interprets its
    // procedure for every character, so repeats of one glyph at one size are skipped here.
    bool beginType3Char(GfxState* state, double, double, double, double, CharCode code, const Unicode*, int) override {
        op();
        double size = state->getTransformedFontSize();
        long bucket = std::isfinite(size) && size > 0 ? std::lround(std::log2(size) * 8) : 0;
        // Keyed by the font's object (not its address, which a freed font's successor may reuse).
        Ref font = state->getFont() ? *state->getFont()->getID() : Ref::INVALID();
        if (!type3_seen_.emplace(font.num, font.gen, code, bucket).second) return true;
        add(kFormCost);   // its procedure is a content stream of its own
        return false;
    }

    // A tiling pattern. CairoOutputDev draws one cell and lets cairo repeat it when the step equals
    // the cell; otherwise it declines and Gfx draws every tile, one by one (a 1e-2 scale and a step a
    // hair off the cell size makes that 5e9 tiles). The cell is interpreted once here, under the same
    // abort callback, and charged as often as it will be drawn.
    bool tilingPatternFill(GfxState*, Gfx* gfx, Catalog*, GfxTilingPattern* pattern, const double*, int x0, int y0, int x1,
                           int y1, double x_step, double y_step) override {
        op();
        if (pattern_depth_ >= 16) {
            halt(reason::limit_operations, "tiling patterns nested more than 16 deep on page " + std::to_string(page_));
            op();   // throws
        }
        ++pattern_depth_;
        const double* bbox = pattern->getBBox();
        PDFRectangle box(bbox[0], bbox[1], bbox[2], bbox[3]);
        std::uint64_t before = count_.operations;
        {
            struct Depth {
                int& d;
                ~Depth() { --d; }
            } depth{pattern_depth_};
            Gfx cell(doc_, this, pattern->getResDict(), &box, nullptr, abort_check, this, gfx);
            cell.display(pattern->getContentStream());
        }
        std::uint64_t per_tile = count_.operations - before + kFormCost;   // each tile is a form of its own
        bool repeated_by_cairo = x_step == bbox[2] - bbox[0] && y_step == bbox[3] - bbox[1];
        if (!repeated_by_cairo) {
            double tiles = (static_cast<double>(x1) - x0) * (static_cast<double>(y1) - y0);
            double more = (std::max(tiles, 1.0) - 1) * static_cast<double>(per_tile);
            add(more >= 1.8e19 ? UINT64_MAX / 2 : static_cast<std::uint64_t>(more));
        }
        return true;   // Gfx must not loop over the tiles here
    }

    // After an exception, or after the abort callback said stop, for the cleanup of the caller.
    void throw_if_stopped() {
        if (stop_ && !thrown_) {
            thrown_ = true;
            throw SanitizeError(stop_->code, stop_->detail);
        }
    }

private:
    void op() { add(1); }

    // Counts without throwing.
    void tally(std::uint64_t n) {
        count_.operations = n > UINT64_MAX / 2 - count_.operations ? UINT64_MAX / 2 : count_.operations + n;
        if (count_.operations > limits_.max_operations)
            halt(reason::limit_operations, "drawing needs more than " + std::to_string(limits_.max_operations) +
                                               " operations (page " + std::to_string(page_) + ")");
        if (++since_clock_ >= 1024) {
            since_clock_ = 0;
            should_stop();
        }
    }

    // Counts drawing work, and stops the interpretation once a bound is passed.
    void add(std::uint64_t n) {
        tally(n);
        throw_if_stopped();
    }

    void image(int width, int height) {
        tally(1);
        std::uint64_t px = static_cast<std::uint64_t>(std::abs(static_cast<std::int64_t>(width))) *
                           static_cast<std::uint64_t>(std::abs(static_cast<std::int64_t>(height)));
        if (px > count_.largest_image_pixels) count_.largest_image_pixels = px;
        if (px > limits_.max_image_pixels)
            halt(reason::limit_pixels, "page " + std::to_string(page_) + " draws an image of " + std::to_string(width) + " x " +
                                           std::to_string(height) + " pixels, over the limit of " +
                                           std::to_string(limits_.max_image_pixels));
        throw_if_stopped();
    }

    void halt(std::string_view code, std::string detail) {
        if (!stop_) stop_ = Stop{code, std::move(detail)};
    }

    PDFDoc* doc_;
    const DrawLimits& limits_;
    DrawCount count_;
    std::optional<Stop> stop_;
    bool thrown_ = false;
    std::uint32_t since_clock_ = 0;
    std::uint32_t depth_ = 0;
    int pattern_depth_ = 0;
    int page_ = 0;
    std::set<std::tuple<int, int, CharCode, long>> type3_seen_;
};

// One page as Page::displaySlice draws it for poppler_page_render_for_printing (72 dpi, the crop box,
// the page's own rotation, printing, every annotation: a superset of what is printed), with the Gfx
// owned here so that it is destroyed however the interpretation ends.
void draw_page(Page* page, Counter& counter) {
    std::unique_ptr<Gfx> gfx(page->createGfx(&counter, 72, 72, 0, false, true, -1, -1, -1, -1, true, Counter::abort_check, &counter));
    Object contents = page->getContents();
    if (!contents.isNull()) {
        gfx->saveState();
        gfx->display(&contents);
        gfx->restoreState();
    }
    if (Annots* annots = page->getAnnots())
        for (Annot* annot : annots->getAnnots()) {
            if (counter.should_stop()) break;
            annot->draw(gfx.get(), true);
        }
}

}  // namespace

DrawCount check_draw_budget(PDFDoc* doc, const DrawLimits& limits) {
    Counter counter(doc, limits);
    int pages = doc->getNumPages();
    for (int i = 1; i <= pages && !counter.should_stop(); ++i) {
        counter.set_page(i);
        Page* page = doc->getPage(i);
        if (!page) continue;   // poppler-glib cannot draw it either; the drawing reports it
        draw_page(page, counter);
    }
    counter.throw_if_stopped();   // stopped by the abort callback (time) rather than by a throw
    return counter.count();
}

}  // namespace mugaika::pdf
