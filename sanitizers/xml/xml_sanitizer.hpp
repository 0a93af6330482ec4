#pragma once

#include <memory>

#include "mugaika/sanitizer.hpp"

namespace mugaika {

// XML files: parsed by libxml2 without network, DTD loading or entity expansion, and written anew
// (UTF-8) without the document type declaration, entity references, processing instructions
// (xml-stylesheet) or XInclude elements: nothing in the result refers to anything outside it.
std::shared_ptr<const Sanitizer> make_xml_sanitizer();

}  // namespace mugaika
