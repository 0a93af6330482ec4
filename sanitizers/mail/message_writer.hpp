// Writes the safe message: the allowlisted headers re-encoded, one text/plain body, and the
// attachments that came out of the engine clean. Always 7-bit, CRLF line ends.
#pragma once

#include <string>
#include <vector>

#include "header_encode.hpp"

namespace mugaika::mail {

struct SafeHeader {
    enum class Kind { text, addresses, verbatim };   // verbatim: checked printable ASCII (Date, Message-ID)
    std::string name;
    Kind kind = Kind::text;
    std::string text;                // text, verbatim
    std::vector<Address> addresses;  // addresses
};

struct SafeAttachment {
    std::string name;   // UTF-8 file name
    std::string mime;   // content type of the clean bytes
    std::string bytes;
};

struct SafeMessage {
    std::vector<SafeHeader> headers;
    std::string summary;             // X-Mugaika-Sanitized, printable ASCII
    std::string body;                // UTF-8 text, LF line ends
    std::vector<SafeAttachment> attachments;
};

// `boundary_seed` makes the boundary unique without a clock or random source (the sanitizer is pure):
// the boundary is derived from it and checked against the content. Sets `used_iso2022jp` to whether
// the body could be written in ISO-2022-JP when asked.
std::string write_message(const SafeMessage& m, OutCharset cs, const std::string& boundary_seed, bool& used_iso2022jp);

}  // namespace mugaika::mail
