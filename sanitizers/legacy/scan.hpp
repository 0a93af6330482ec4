// The legacy scan: before a document is handed to the converter, the constructs that must not survive
// it (macros, XLM sheets, OLE objects, DDE, external links, event scripts) are looked for in the
// original, so the report says what the sender's file carried. Findings only: the guarantee that they
// are gone is the conversion path itself (LibreOffice with macros off, then the OOXML or PDF rebuild).
// Each scan is bounded by the input's size and checks the item's time budget.
#pragma once

#include <string_view>

#include "mugaika/sanitizer.hpp"
#include "tally.hpp"

namespace mugaika::legacy {

// Word, Excel (BIFF5/8) and PowerPoint binary files: storages, BIFF records, PowerPoint records and
// Word field codes. `type` is the detected id ("doc", "xls", "ppt").
void scan_cfb(std::string_view bytes, std::string_view type, Context& ctx, Tally& tally);

// RTF: \object groups and their \objdata, \objupdate, linked and ActiveX objects, DDE and INCLUDE
// fields, attached templates.
void scan_rtf(std::string_view bytes, Context& ctx, Tally& tally);

// OpenDocument, packaged (through the safe zip reader: an ambiguous package is held before the
// converter sees it) or flat: Basic and script libraries, event listeners, OLE objects, applets and
// plugins, DDE, external links. A DOCTYPE in any part holds the document (ODF never has one).
void scan_odf(std::string_view bytes, Context& ctx, Tally& tally);
void scan_flat_odf(std::string_view bytes, Context& ctx, Tally& tally);

}  // namespace mugaika::legacy
