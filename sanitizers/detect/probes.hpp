// Structural checks that libmagic misses or gets wrong. Each looks at the container's own directory
// through a real library (libzip, libgsf) and returns a file type id, or "" when it cannot tell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mugaika/outcome.hpp"

namespace mugaika::detect {

// ZIP family: OOXML (by the main part's content type in [Content_Types].xml, upgraded to its macro-
// enabled type when a vbaProject part is present), OpenDocument, Java and Android packages, plain zip.
std::string probe_zip(std::string_view bytes, std::vector<Finding>& findings);

// Compound File Binary (OLE2): encrypted OOXML, Word, Excel (BIFF8 and Excel 5/95's BIFF5),
// PowerPoint, Outlook .msg, 一太郎, or "cfb"; a VBA project in a Word or Excel file is a finding.
std::string probe_cfb(std::string_view bytes, std::vector<Finding>& findings);

// Flat (single XML file) OpenDocument: "odt", "ods", "odp" by the root office:document element's
// office:mimetype, or "" when the XML is something else.
std::string probe_flat_odf(std::string_view bytes);

// An RFC 5322 message: a block of header fields, known mail headers among them, then a blank line.
bool looks_like_mail(std::string_view bytes);

}  // namespace mugaika::detect
