// Content-Transfer-Encoding decoders of our own: strict about what they produce, lenient about what
// real mailers send. GMime 3.2.13 stops chunked base64 (several base64 blocks concatenated, each with
// its '=' padding) at the first '=', silently truncating attachments; these decoders do not, and they
// count what they had to skip so the caller can record it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mugaika::mail {

struct DecodeStats {
    std::size_t skipped = 0;        // characters outside the alphabet (other than whitespace)
    std::size_t restarts = 0;       // base64: data continued after '=' padding (chunked base64)
    bool truncated = false;         // base64: a final quantum was incomplete
};

// Base64 per RFC 2045: whitespace and stray characters ignored, decoding continues after padding.
std::string decode_base64(std::string_view in, DecodeStats& stats);
// The number of bytes decode_base64 yields for `in`, computed independently (sizes are verified).
std::size_t base64_decoded_size(std::string_view in);
// Quoted-printable per RFC 2045: soft line breaks, lower-case hex accepted, a '=' that starts no
// escape kept literally (counted as skipped), trailing blanks before a line end dropped.
std::string decode_quoted_printable(std::string_view in, DecodeStats& stats);
// The Q encoding of RFC 2047 encoded words ('_' is a space).
std::string decode_q(std::string_view in, DecodeStats& stats);

std::string encode_base64(std::string_view in, std::size_t line_length = 76);   // CRLF line ends

}  // namespace mugaika::mail
