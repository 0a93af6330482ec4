#include "pdf_render.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <poppler.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "pdf_image_reencode.hpp"
#include "pdf_links.hpp"

namespace mugaika::pdf {
namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    try {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    } catch (...) {
        return CAIRO_STATUS_NO_MEMORY;
    }
}

struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct PageDeleter {
    void operator()(PopplerPage* p) const { g_object_unref(p); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Cairo = std::unique_ptr<cairo_t, ContextDeleter>;
using Page = std::unique_ptr<PopplerPage, PageDeleter>;

void check(cairo_status_t status, const char* what) {
    if (status == CAIRO_STATUS_SUCCESS) return;
    if (status == CAIRO_STATUS_NO_MEMORY)
        throw SanitizeError(reason::limit_memory, std::string("cairo ran out of memory: ") + what);
    throw SanitizeError(reason::internal, std::string(what) + ": " + cairo_status_to_string(status));
}

// Re-adds the page's http(s) links as plain link annotations. Link areas come from poppler in page
// space with the origin at the bottom left (rotation already applied); cairo wants the top left.
void add_links(cairo_t* cr, PopplerPage* page, double height, RenderResult& result) {
    GList* mapping = poppler_page_get_link_mapping(page);
    for (GList* l = mapping; l; l = l->next) {
        auto* m = static_cast<PopplerLinkMapping*>(l->data);
        if (!m->action || m->action->type != POPPLER_ACTION_URI) continue;
        const char* uri = m->action->uri.uri;
        auto safe = safe_http_uri(uri ? uri : "");
        double x = std::min(m->area.x1, m->area.x2), w = std::fabs(m->area.x2 - m->area.x1);
        double y = height - std::max(m->area.y1, m->area.y2), h = std::fabs(m->area.y2 - m->area.y1);
        if (!safe || !std::isfinite(x + y + w + h) || w <= 0 || h <= 0) {
            ++result.links_refused;
            continue;
        }
        char rect[160];
        std::snprintf(rect, sizeof rect, " rect=[%.2f %.2f %.2f %.2f]", x, y, w, h);
        std::string attributes = "uri='" + *safe + "'" + rect;
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes.c_str());
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        ++result.links_kept;
    }
    poppler_page_free_link_mapping(mapping);
}

// Lays invisible text down again. Cairo has no invisible text mode and drops fully transparent
// drawing altogether, so the text is painted at an opacity of 1/256: nobody sees it, every reader
// and pdftotext still finds it. Each character is scaled to its original advance so that words
// and selections line up with the page image.
void draw_invisible(cairo_t* cr, const std::vector<InvisibleChar>& chars) {
    if (chars.empty()) return;
    cairo_save(cr);
    cairo_select_font_face(cr, "IPAGothic", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgba(cr, 0, 0, 0, 1.0 / 256);
    for (const auto& c : chars) {
        cairo_save(cr);
        cairo_translate(cr, c.x, c.y);
        double advance = std::hypot(c.dx, c.dy);
        if (advance > 0) cairo_rotate(cr, std::atan2(c.dy, c.dx));
        cairo_set_font_size(cr, c.size);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, c.utf8.c_str(), &ext);
        double sx = advance > 0 && ext.x_advance > 0 ? std::clamp(advance / ext.x_advance, 0.05, 20.0) : 1.0;
        cairo_matrix_t m;
        cairo_matrix_init_scale(&m, c.size * sx, c.size);
        cairo_set_font_matrix(cr, &m);
        cairo_move_to(cr, 0, 0);
        cairo_show_text(cr, c.utf8.c_str());
        cairo_restore(cr);
    }
    cairo_restore(cr);
}

// One page drawn as an image at `dpi`, painted to fill the page. Only this page's pixels are alive.
void draw_pixels(cairo_t* cr, PopplerPage* page, double width, double height, int dpi) {
    double scale = dpi / 72.0;
    int pw = static_cast<int>(std::ceil(width * scale)), ph = static_cast<int>(std::ceil(height * scale));
    Surface image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph));
    check(cairo_surface_status(image.get()), "page image");
    {
        Cairo ic(cairo_create(image.get()));
        cairo_set_source_rgb(ic.get(), 1, 1, 1);
        cairo_paint(ic.get());
        cairo_scale(ic.get(), scale, scale);
        poppler_page_render_for_printing(page, ic.get());
        check(cairo_status(ic.get()), "page rasterisation");
    }
    cairo_surface_flush(image.get());
    cairo_save(cr);
    cairo_scale(cr, 1 / scale, 1 / scale);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

}  // namespace

RenderResult render_document(const RenderDocument& doc, const RenderOptions& options,
                             const std::function<void()>& before_page) {
    RenderResult result;
    // Poppler hands cairo the original image streams; they must never reach the output.
    if (!image_guard_active())
        throw SanitizeError(reason::internal, "the image re-encoding guard is not active in this build");
    ReencodeScope images;
    int pages = doc.pages();
    // Cairo wants a size at creation; every page sets its own before it is drawn.
    Surface surface(cairo_pdf_surface_create_for_stream(append, &result.pdf, 612, 792));
    check(cairo_surface_status(surface.get()), "PDF surface");
    if (!options.title.empty())
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, options.title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "mugaika");
    Cairo cr(cairo_create(surface.get()));

    for (int i = 0; i < pages; ++i) {
        before_page();
        Page page(poppler_document_get_page(doc.get(), i));
        if (!page) throw SanitizeError(reason::malformed, "page " + std::to_string(i + 1) + " cannot be read");
        double width = 0, height = 0;   // points, with the page's rotation applied
        poppler_page_get_size(page.get(), &width, &height);
        if (!(width >= 1 && height >= 1 && width <= 14400 * 4 && height <= 14400 * 4))
            throw SanitizeError(reason::malformed, "page " + std::to_string(i + 1) + " has an impossible size " +
                                                       std::to_string(width) + " x " + std::to_string(height));
        double px = std::ceil(width * options.dpi / 72.0) * std::ceil(height * options.dpi / 72.0);
        if (px > static_cast<double>(options.max_page_pixels))
            throw SanitizeError(reason::limit_pixels,
                                "page " + std::to_string(i + 1) + " is " + std::to_string(static_cast<long long>(px)) +
                                    " pixels at " + std::to_string(options.dpi) + " dpi, over the limit of " +
                                    std::to_string(options.max_page_pixels));
        cairo_pdf_surface_set_size(surface.get(), width, height);
        if (options.pixels) {
            draw_pixels(cr.get(), page.get(), width, height, options.dpi);
        } else {
            cairo_save(cr.get());
            poppler_page_render_for_printing(page.get(), cr.get());
            cairo_restore(cr.get());
            if (options.invisible_text) {
                auto chars = options.invisible_text(i);
                draw_invisible(cr.get(), chars);
                result.invisible_chars += chars.size();
            }
        }
        if (options.https_links) add_links(cr.get(), page.get(), height, result);
        cairo_show_page(cr.get());
        check(cairo_status(cr.get()), "page drawing");
    }
    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), "PDF output");
    surface.reset();
    if (!set_producer(result.pdf, "mugaika"))
        throw SanitizeError(reason::internal, "cannot set the producer of the rebuilt PDF");
    result.images_jpeg = images.jpeg_reencoded();
    result.images_lossless = images.dropped();
    return result;
}

bool set_producer(std::string& pdf, std::string_view producer) {
    // cairo ends with: trailer << ... /Info N 0 R >> ; the Info object is plain text.
    auto trailer = pdf.rfind("trailer");
    if (trailer == std::string::npos) return false;
    auto info = pdf.find("/Info ", trailer);
    if (info == std::string::npos) return false;
    int num = 0;
    if (std::sscanf(pdf.c_str() + info + 6, "%d 0 R", &num) != 1 || num <= 0) return false;
    std::string header = "\n" + std::to_string(num) + " 0 obj";
    auto obj = pdf.rfind(header, trailer);
    if (obj == std::string::npos) return false;
    auto end = pdf.find("endobj", obj);
    auto key = pdf.find("/Producer (", obj);
    if (key == std::string::npos || end == std::string::npos || key > end) return false;
    auto open = key + 10;   // the '('
    int depth = 0;
    std::size_t close = std::string::npos;
    for (std::size_t i = open; i < end; ++i) {
        if (pdf[i] == '\\') { ++i; continue; }
        if (pdf[i] == '(') ++depth;
        if (pdf[i] == ')' && --depth == 0) { close = i; break; }
    }
    if (close == std::string::npos) return false;
    std::string value = "(" + std::string(producer) + ")";
    std::size_t old_len = close - open + 1;
    if (value.size() > old_len) return false;
    value.append(old_len - value.size(), ' ');
    pdf.replace(open, old_len, value);
    return true;
}

}  // namespace mugaika::pdf
