// How much an SVG asks its renderer to draw, counted on the tree before librsvg sees it: every element
// once, and again for every reference to it (<use href="#id">, fill, stroke, clip-path, mask, marker
// or filter="url(#id)"), through references of references. A "billion laughs" of nested <use> is a
// few kilobytes that librsvg takes most of a minute to refuse; counted here it is held at once.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

namespace mugaika::image {

// How the cleaner (svg_rasterizer.cpp) and the count read a value, so that a reference one of them
// keeps the other one counts: an attribute's text with entities resolved, and white space (XML's
// and CSS's) off both ends before a "#" is looked for.
std::string svg_attribute(xmlAttr* a);
std::string_view svg_trim(std::string_view s);

// The number of elements drawn, as a double (it can exceed any integer): a reference is href="#id" or
// url(#id), quoted or not, with white space around the "#id" or not; a style sheet's url(#id)
// counts its target once per element of the document (which elements it applies to is not
// resolved). Throws SanitizeError: malformed for a reference cycle, limit.depth for references
// nested deeper than 256.
double svg_draw_count(xmlNode* root);

}  // namespace mugaika::image
