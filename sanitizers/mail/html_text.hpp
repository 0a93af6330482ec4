// HTML mail bodies to readable plain text with libxml2's HTML parser (no network, no DTD loading).
// The input is already Unicode (UTF-8): charsets are decided before parsing, so a <meta charset> in
// the document cannot switch the parser to another encoding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "links.hpp"

namespace mugaika::mail {

struct HtmlText {
    std::string text;
    std::size_t scripts = 0;        // script, style, object, iframe, ... elements dropped
    std::size_t forms = 0;          // form controls dropped
    std::size_t hidden = 0;         // hidden elements (display:none, zero size, hidden attribute)
    std::size_t images = 0;         // images shown as [画像: alt] or dropped
    std::size_t embedded_images = 0;  // images carried in the document itself (data: URIs), dropped
    std::size_t tracking = 0;       // images of at most 1x1 pixel, or remote images without alt text
    std::size_t links = 0;          // links whose target is shown
    std::size_t dangerous_links = 0;  // javascript:, data:, ... links whose target was left out
};

// `max_nodes` bounds the work on hostile documents (0: no bound).
HtmlText html_to_text(std::string_view utf8_html, LinkMode mode, std::size_t max_nodes = 0);

// The charset an HTML document declares in <meta charset> or http-equiv Content-Type, "" when none
// (looked for in the first 4 KiB, as browsers do).
std::string html_declared_charset(std::string_view html);

}  // namespace mugaika::mail
