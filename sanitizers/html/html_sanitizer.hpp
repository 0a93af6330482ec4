#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// HTML files and attachments: plain text with every link target shown defanged (as mail bodies are,
// sharing mail/html_text), or with [sanitizer.html] target = "pdf" a PDF drawn by the host's converter
// (LibreOffice: no scripts, no network) and then rebuilt by the PDF sanitizer.
std::shared_ptr<const Sanitizer> make_html_sanitizer();

}  // namespace mugaika
