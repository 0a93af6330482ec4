#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// PDF: every page is drawn by poppler into a new PDF written by cairo (or rasterised, mode = pixels),
// so only what a page shows survives; the original's objects are walked to report what it held.
std::shared_ptr<const Sanitizer> make_pdf_sanitizer();

}  // namespace mugaika
