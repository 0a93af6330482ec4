// How Excel and LibreOffice split a delimited text file into cells: a field that begins with '"' is
// quoted until a '"' that is not doubled (what follows the closing quote up to the delimiter is
// appended as it is, as Excel does), a '"' anywhere else is text, CR, LF and CRLF end a record
// outside quotes. The file itself is never rewritten through this: the sanitizer only inserts
// characters at the offsets it reports, so everything else stays byte for byte.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mugaika::csv {

struct Field {
    std::size_t row = 0, column = 0;
    std::size_t start = 0;         // offset of the field's first character (its quote, if quoted)
    std::size_t value_start = 0;   // offset of the value's first character (after the quote)
    bool quoted = false;
    std::string value;             // unquoted, "" -> "
};

// Calls `visit` for every field of `utf8` split on `delimiter`, in order. Returns false when the last
// quoted field never ends (it is still visited, running to the end of the text).
bool split(std::string_view utf8, char delimiter, const std::function<void(const Field&)>& visit);

}  // namespace mugaika::csv
