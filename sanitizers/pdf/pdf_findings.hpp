// Turns what the object walk saw into findings: what the original held and what became of it.
#pragma once

#include "mugaika/sanitizer.hpp"
#include "pdf_objects.hpp"

namespace mugaika::pdf {

// Everything but links and embedded files (those depend on the rendering and on the attachments
// policy, and are reported where they are handled).
void report_active_content(const ObjectReport& report, Context& ctx);

// URI links: how many the original had, how many were re-added (links = https).
void report_links(const ObjectReport& report, bool https, int kept, int refused, Context& ctx);

}  // namespace mugaika::pdf
