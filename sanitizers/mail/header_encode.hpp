// Writing header values of the safe message: RFC 2047 encoded words for anything that is not plain
// ASCII, folded at 76 columns, addresses rebuilt from their parts, RFC 2231 file names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mugaika::mail {

enum class OutCharset { utf8, iso2022jp };

// RFC 2047 encoded words ("B" encoding) covering `utf8`, short enough for 76-column lines, each a whole
// number of characters (ISO-2022-JP words return to ASCII at their end). Falls back to UTF-8 words
// when a character has no ISO-2022-JP form.
std::vector<std::string> encoded_words(std::string_view utf8, OutCharset cs);

// "Name: value\r\n" for a value already checked to be printable ASCII, folded at spaces, never encoded
// (Message-IDs, Date, our summary).
std::string ascii_header(std::string_view name, std::string_view ascii);

// "Name: value\r\n", folded. Non-ASCII values become encoded words.
std::string unstructured_header(std::string_view name, std::string_view utf8, OutCharset cs);

struct Address {
    std::string display;   // UTF-8, may be empty
    std::string addr;      // addr-spec, ASCII
};

// Parses an address list from a raw (unfolded) header value: display names are decoded (RFC 2047,
// 8-bit), groups are flattened. Entries whose address is not plain ASCII are left out (counted).
struct AddressParse {
    std::vector<Address> list;
    std::size_t dropped = 0;
    bool unlabelled_8bit = false;
    bool damaged = false;
};
AddressParse parse_addresses(std::string_view unfolded);

std::string address_header(std::string_view name, const std::vector<Address>& list, OutCharset cs);

// Content-Type/Content-Disposition file name parameters: ` name*=...` style RFC 2231 continuations
// (";\r\n filename*0*=UTF-8''...") for `param`.
std::string rfc2231_param(std::string_view param, std::string_view utf8);

// True when `s` is printable ASCII (space to '~').
bool is_printable_ascii(std::string_view s);

}  // namespace mugaika::mail
