#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Word, Excel and PowerPoint (OOXML), macro-enabled and template variants: rebuilds a fresh package
// from the parts and relationships on an allowlist, cleans every kept XML part (fields, formulas,
// OLE/ActiveX, external references, unsafe links) and writes macro-enabled types as macro-free.
// Encrypted OOXML is quarantined (encrypted); xlsb is not handled (its binary records cannot be
// checked against an XML allowlist), so the engine quarantines it as unsupported.
std::shared_ptr<const Sanitizer> make_ooxml_sanitizer();

}  // namespace mugaika
