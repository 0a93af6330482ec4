// PDF text strings and the few strings we carry over (title, attachment names).
#pragma once

#include <string>
#include <string_view>

namespace mugaika::pdf {

// Appends one code point as UTF-8; NUL, surrogates and values beyond U+10FFFF are dropped.
void append_utf8(std::string& out, char32_t c);


// A PDF text string (UTF-16BE/LE with a byte order mark, UTF-8 with a BOM, else PDFDocEncoding) as UTF-8.
std::string decode_text_string(std::string_view raw);

// Keeps only printable text: drops control and bidi override characters and invalid UTF-8, folds
// runs of white space, trims, and caps the length in characters.
std::string clean_text(std::string_view utf8, std::size_t max_chars);

}  // namespace mugaika::pdf
