#include "svg_rasterizer.hpp"

#include <cairo.h>
#include <glib.h>
#include <librsvg/rsvg.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "gif_codec.hpp"
#include "jpeg_codec.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "pixel_ops.hpp"
#include "png_codec.hpp"
#include "svg_draw_count.hpp"

namespace mugaika::image {
namespace {

constexpr std::string_view kXInclude = "http://www.w3.org/2001/XInclude";
constexpr int kMaxDepth = 256;
constexpr std::size_t kMaxEmbeddedImages = 256;
// Elements drawn, references counted (svg_draw_count.hpp). librsvg's own ceiling (half a million
// referenced elements) takes it most of a minute to reach; a drawing of 200,000 elements is already
// far beyond what an office document or a map export carries.
constexpr double kMaxDrawnElements = 200'000;

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XmlFree {
    void operator()(xmlChar* p) const { xmlFree(p); }
};
struct GFree {
    void operator()(void* p) const { g_free(p); }
};
struct Unref {
    void operator()(void* p) const { g_object_unref(p); }
};
struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// True when every url(...) in `value` points inside the document ("#id"), and there is no @import.
bool only_local_urls(std::string_view value) {
    std::string v = lower(value);
    if (v.find("@import") != std::string::npos) return false;
    // Escapes and comments could hide a url( from this check: CSS with them is not kept.
    if (v.find('\\') != std::string::npos || v.find("/*") != std::string::npos) return false;
    for (std::size_t at = v.find("url("); at != std::string::npos; at = v.find("url(", at + 4)) {
        std::string_view rest = svg_trim(std::string_view(v).substr(at + 4));
        if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) rest.remove_prefix(1);
        rest = svg_trim(rest);
        if (rest.empty() || rest.front() != '#') return false;
    }
    return true;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// The payload of a data: URL, or nullopt when it is not one we can read.
std::optional<std::string> data_url_payload(std::string_view url) {
    url = svg_trim(url);
    if (url.size() < 5 || lower(url.substr(0, 5)) != "data:") return std::nullopt;
    auto comma = url.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string header = lower(url.substr(5, comma - 5));
    std::string_view body = url.substr(comma + 1);
    if (header.ends_with(";base64")) {
        std::string clean;
        for (char c : body)
            if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
        gsize n = 0;
        std::unique_ptr<guchar, GFree> decoded(g_base64_decode(clean.c_str(), &n));
        return std::string(reinterpret_cast<const char*>(decoded.get()), n);
    }
    return percent_decode(body);
}

// An embedded raster image decoded by our decoders and written as a fresh PNG (as a data: URL).
std::optional<std::string> rebuilt_image(std::string_view bytes, const ImageLimits& limits) {
    Raster image;
    if (bytes.starts_with("\x89PNG")) {
        image = decode_png(bytes, limits).image;
    } else if (bytes.starts_with("\xFF\xD8\xFF")) {
        image = decode_jpeg(bytes, limits).image;
    } else if (bytes.starts_with("GIF8")) {
        GifAnimation gif = decode_gif(bytes, limits);
        const GifFrame& f = gif.frames.front();
        const auto& pal = f.palette.empty() ? gif.palette : f.palette;
        image = Raster(f.width, f.height, Layout::indexed);
        std::memcpy(image.data(), f.indices.data(), f.indices.size());
        image.palette = pal;
        std::uint8_t top = 0;
        for (auto v : f.indices) top = std::max(top, v);
        while (image.palette.size() <= top) image.palette.push_back({0, 0, 0, 255});
        if (f.transparent >= 0 && static_cast<std::size_t>(f.transparent) < image.palette.size())
            image.palette[f.transparent][3] = 0;
    } else {
        return std::nullopt;
    }
    RasterRows rows(image);
    std::string png = encode_png(rows, {});
    std::unique_ptr<gchar, GFree> b64(g_base64_encode(reinterpret_cast<const guchar*>(png.data()), png.size()));
    return "data:image/png;base64," + std::string(b64.get());
}

struct Cleaner {
    const ImageLimits& limits;
    SvgResult& result;
    std::size_t images = 0;

    void note(const std::string& what) {
        if (std::find(result.removed.begin(), result.removed.end(), what) == result.removed.end())
            result.removed.push_back(what);
    }

    void clean_attributes(xmlNode* n) {
        std::string element = lower(reinterpret_cast<const char*>(n->name));
        for (xmlAttr* a = n->properties; a;) {
            xmlAttr* next = a->next;
            std::string name = lower(reinterpret_cast<const char*>(a->name));
            std::string value = svg_attribute(a);
            bool drop = false;
            if (name.starts_with("on")) {
                drop = true;
                note("event handler");
            } else if (value.find('\\') != std::string::npos || value.find("/*") != std::string::npos) {
                // librsvg reads attribute values as CSS, where an escape (u\72l) or a comment can
                // spell a url() that no check here would see.
                drop = true;
                note("CSS escape or comment in an attribute");
            } else if (name == "href" || name == "src") {
                std::string_view v = svg_trim(value);
                if (v.starts_with("#")) {
                    // a reference inside the document
                } else if ((element == "image" || element == "feimage") && ++images <= kMaxEmbeddedImages) {
                    std::optional<std::string> fresh;
                    if (auto payload = data_url_payload(v)) {
                        try {
                            fresh = rebuilt_image(*payload, limits);
                        } catch (const SanitizeError& e) {
                            if (e.code() == reason::limit_time) throw;
                        }
                    }
                    if (fresh) {
                        xmlSetNsProp(n, a->ns, a->name, reinterpret_cast<const xmlChar*>(fresh->c_str()));
                        ++result.images_rebuilt;
                    } else {
                        drop = true;
                        note("image that is not an embedded PNG, JPEG or GIF");
                    }
                } else {
                    drop = true;
                    note("external reference");
                }
            } else if (value.find("url(") != std::string::npos || lower(value).find("url(") != std::string::npos ||
                       name == "style") {
                if (!only_local_urls(value)) {
                    drop = true;
                    note("external reference");
                }
            }
            if (drop) xmlRemoveProp(a);
            a = next;
        }
    }

    void walk(xmlNode* parent, int depth) {
        if (depth > kMaxDepth) throw SanitizeError(reason::malformed, "SVG nested deeper than " + std::to_string(kMaxDepth));
        for (xmlNode* n = parent->children; n;) {
            xmlNode* next = n->next;
            bool drop = false;
            if (n->type == XML_ELEMENT_NODE) {
                std::string name = lower(reinterpret_cast<const char*>(n->name));
                bool xinclude = n->ns && n->ns->href && kXInclude == reinterpret_cast<const char*>(n->ns->href);
                if (name == "script") {
                    drop = true;
                    note("script");
                } else if (xinclude || name == "foreignobject" || name == "iframe" || name == "embed" || name == "object") {
                    drop = true;
                    note(xinclude ? "XInclude" : "embedded document");
                } else if (name == "style") {
                    xmlChar* text = xmlNodeGetContent(n);
                    bool ok = only_local_urls(text ? reinterpret_cast<const char*>(text) : "");
                    xmlFree(text);
                    if (!ok) {
                        drop = true;
                        note("style sheet with an external reference");
                    }
                }
                if (!drop) {
                    clean_attributes(n);
                    walk(n, depth + 1);
                }
            } else if (n->type == XML_PI_NODE || n->type == XML_ENTITY_REF_NODE || n->type == XML_XINCLUDE_START ||
                       n->type == XML_XINCLUDE_END) {
                drop = true;
                note(n->type == XML_PI_NODE ? "processing instruction" : "entity reference");
            }
            if (drop) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
            }
            n = next;
        }
        limits.tick();
    }
};

}  // namespace

SvgResult rasterize_svg(std::string_view bytes, std::uint32_t max_side, const ImageLimits& limits) {
    SvgResult result;
    if (bytes.size() > INT32_MAX) throw SanitizeError(reason::limit_size, "SVG too large");
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "image.svg", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA));
    if (!doc) throw SanitizeError(reason::malformed, "SVG is not well-formed XML");
    if (doc->intSubset || doc->extSubset) {
        xmlDtd* dtd = doc->intSubset;
        if (dtd && (dtd->entities || dtd->pentities)) throw SanitizeError(reason::malformed, "SVG declares XML entities");
        if (dtd) {
            xmlUnlinkNode(reinterpret_cast<xmlNode*>(dtd));
            xmlFreeDtd(dtd);
            doc->intSubset = nullptr;
        }
        result.removed.push_back("document type declaration");
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!root || lower(reinterpret_cast<const char*>(root->name)) != "svg") throw SanitizeError(reason::malformed, "root element is not <svg>");
    Cleaner cleaner{limits, result};
    for (xmlNode* n = doc->children; n;) {   // processing instructions before the root (xml-stylesheet)
        xmlNode* next = n->next;
        if (n->type == XML_PI_NODE) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            cleaner.note("processing instruction");
        }
        n = next;
    }
    cleaner.clean_attributes(root);
    cleaner.walk(root, 0);
    if (double drawn = svg_draw_count(root); drawn > kMaxDrawnElements)
        throw SanitizeError(reason::limit_operations,
                            "SVG would draw " + (drawn < 1e15 ? std::to_string(static_cast<long long>(drawn)) : std::string("over 10^15")) +
                                " elements through its references (more than " +
                                std::to_string(static_cast<long long>(kMaxDrawnElements)) + ")");

    xmlChar* text = nullptr;
    int length = 0;
    xmlDocDumpMemory(doc.get(), &text, &length);
    std::unique_ptr<xmlChar, XmlFree> owned(text);
    doc.reset();
    if (!text || length <= 0) throw std::bad_alloc();

    GError* error = nullptr;
    std::unique_ptr<RsvgHandle, Unref> handle(rsvg_handle_new_from_data(text, static_cast<gsize>(length), &error));
    if (!handle) {
        std::string why = error && error->message ? error->message : "unreadable";
        if (error) g_error_free(error);
        throw SanitizeError(reason::malformed, "SVG: " + why);
    }
    double w = 0, h = 0;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &w, &h) || !(w > 0 && h > 0)) {
        gboolean has_w, has_h, has_box;
        RsvgLength lw, lh;
        RsvgRectangle box;
        rsvg_handle_get_intrinsic_dimensions(handle.get(), &has_w, &lw, &has_h, &lh, &has_box, &box);
        double aspect = has_box && box.width > 0 && box.height > 0 ? box.width / box.height : 1.0;
        w = aspect >= 1 ? max_side : max_side * aspect;
        h = aspect >= 1 ? max_side / aspect : max_side;
    }
    if (!std::isfinite(w) || !std::isfinite(h)) throw SanitizeError(reason::malformed, "SVG has no usable size");
    double scale = std::min(1.0, max_side / std::max(w, h));
    auto pw = static_cast<std::uint32_t>(std::clamp(std::ceil(w * scale), 1.0, 1e9));
    auto ph = static_cast<std::uint32_t>(std::clamp(std::ceil(h * scale), 1.0, 1e9));
    check_dimensions(pw, ph, limits, "SVG drawing");

    std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(pw), static_cast<int>(ph)));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) throw std::bad_alloc();
    {
        std::unique_ptr<cairo_t, CairoFree> cr(cairo_create(surface.get()));
        RsvgRectangle viewport{0, 0, static_cast<double>(pw), static_cast<double>(ph)};
        if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error)) {
            std::string why = error && error->message ? error->message : "cannot be drawn";
            if (error) g_error_free(error);
            throw SanitizeError(reason::malformed, "SVG: " + why);
        }
    }
    cairo_surface_flush(surface.get());
    const std::uint8_t* data = cairo_image_surface_get_data(surface.get());
    int stride = cairo_image_surface_get_stride(surface.get());
    result.image = Raster(pw, ph, Layout::rgba);
    for (std::uint32_t y = 0; y < ph; ++y) {
        const auto* src = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
        std::uint8_t* dst = result.image.row(y);
        for (std::uint32_t x = 0; x < pw; ++x, dst += 4) {
            std::uint32_t v = src[x];   // premultiplied ARGB in a native 32-bit word
            dst[0] = (v >> 16) & 0xff, dst[1] = (v >> 8) & 0xff, dst[2] = v & 0xff, dst[3] = v >> 24;
        }
    }
    unpremultiply(result.image);
    return result;
}

}  // namespace mugaika::image
