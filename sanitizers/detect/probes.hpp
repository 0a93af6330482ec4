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

// Compound File Binary (OLE2): encrypted OOXML, Word, Excel, PowerPoint, Outlook .msg, or "cfb".
std::string probe_cfb(std::string_view bytes);

// An RFC 5322 message: a block of header fields, known mail headers among them, then a blank line.
bool looks_like_mail(std::string_view bytes);

}  // namespace mugaika::detect
