#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// Legacy binary Office (doc, xls incl. Excel 5/95, ppt), xlsb, RTF and OpenDocument (packaged and flat):
// scanned for what they carry, converted by the host's Converter (LibreOffice, docs/legacy.md) to
// OOXML (or PDF with [sanitizer.legacy] target = "pdf"), and the converted file rebuilt by the OOXML
// or PDF sanitizer through the engine. 一太郎 is held with its own reason (no converter reads it).
std::shared_ptr<const Sanitizer> make_legacy_sanitizer();

}  // namespace mugaika
