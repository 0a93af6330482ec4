// Files embedded in a PDF (attachments = drop | extract).
#pragma once

#include <vector>

#include "mugaika/sanitizer.hpp"
#include "pdf_objects.hpp"

namespace mugaika::pdf {

// drop: records each embedded file as removed. extract: each one goes through the engine as a child
// and its clean outputs are returned to be released beside the PDF; a child that is not clean is
// held (the original then stays in quarantine) and nothing of it is returned. Released names never
// repeat each other or `pdf_name`.
std::vector<Output> handle_attachments(const ObjectReport& report, ObjectWalk& walk, bool extract,
                                       const std::string& pdf_name, Context& ctx);

}  // namespace mugaika::pdf
