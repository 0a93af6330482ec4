// Shared by the text and CSV sanitizers: decoding with a clear quarantine reason, control character
// removal, and writing back in the original encoding.
#pragma once

#include <string>
#include <string_view>

#include "charset.hpp"
#include "mugaika/sanitizer.hpp"

namespace mugaika::text {

// Decodes or throws SanitizeError(charset).
charset::Decoded decode_or_quarantine(std::string_view bytes);

// Removes C0 controls other than TAB, LF and CR, DEL and C1 controls. Returns how many were removed.
std::size_t strip_controls(std::string& utf8);

// Encodes back into the input's charset (with its BOM). When a character cannot be written there,
// falls back to UTF-8 with a BOM and records a finding.
std::string encode_like(const charset::Decoded& original, std::string_view utf8, Context& ctx);

}  // namespace mugaika::text
